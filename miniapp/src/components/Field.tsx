import type { ComponentChildren } from 'preact';

/** A labelled form control (`f-<name>`) with its error below (`e-<name>`). */
export function Field(props: { label: string; name: string; error?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={`f-${props.name}`}>{props.label}</label>
      {props.children}
      {props.error && <p class="field-error" id={`e-${props.name}`}>{props.error}</p>}
    </div>
  );
}
