/** `count` grey cards while a list or a detail loads. */
export function Skeleton({ count }: { count: number }) {
  return (
    <ul class="cards" aria-busy="true" aria-label="Loading">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} class="card skeleton">
          <div class="line wide" />
          <div class="line" />
          <div class="line short" />
        </li>
      ))}
    </ul>
  );
}
