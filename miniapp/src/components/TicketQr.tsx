import { useEffect, useState } from 'preact/hooks';

/** The light margin scanners need around the code: 4 modules (ISO/IEC 18004's quiet zone). */
export const QUIET_ZONE = 4;

/** The dark modules as one SVG path, a horizontal run of modules per subpath. */
function path(matrix: boolean[][]): string {
  let d = '';
  matrix.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue;
      let run = 1;
      while (row[x + run]) run++;
      d += `M${x} ${y}h${run}v1h-${run}z`;
      x += run;
    }
  });
  return d;
}

/** `text` as a QR code the width of its container: black modules on white, the quiet zone
 * included, whatever the theme (a scanner reads dark on light; an inverted code fails on many).
 * The encoder (uqr) is fetched here, on the ticket screen only: the first screen never loads it. */
export function TicketQr({ text, label }: { text: string; label: string }) {
  const [matrix, setMatrix] = useState<boolean[][] | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setFailed(false);
    import('uqr').then(
      ({ encode }) => {
        // Level L boosted as far as the size allows: the smallest code (biggest modules at a
        // given width) with all the error correction that fits in it.
        if (live) setMatrix(encode(text, { ecc: 'L', boostEcc: true, border: QUIET_ZONE }).data);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [text, attempt]);
  if (failed) {
    return (
      <div class="qr-failed" role="alert">
        <p>Could not draw the ticket: check your connection.</p>
        <button type="button" class="button" onClick={() => setAttempt(attempt + 1)}>
          Try again
        </button>
      </div>
    );
  }
  if (!matrix) return <div class="qr" aria-busy="true" aria-label="Drawing the ticket" />;
  const size = matrix.length;
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shape-rendering="crispEdges"
      data-modules={size}
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path(matrix)} fill="#000" />
    </svg>
  );
}
