import { useEffect, useState } from 'preact/hooks';
import { CATEGORIES } from '../api';
import { Field } from '../components/Field';
import { Skeleton } from '../components/Skeleton';
import { ApiError, message } from '../errors';
import { useMainButton } from '../hooks/useMainButton';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import type { ScreenProps } from '../screen';
import * as tg from '../telegram';
import { FIELDS, type FormValues, toPayload, toValues } from './adminForm';

/** New event (no `:id`) or edit one, saved through the MainButton; editing can deactivate. */
export function AdminScreen({ api, params }: ScreenProps) {
  const id = params.id ?? null;
  const [values, setValues] = useState<FormValues | null>(id ? null : {});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    api.event(id).then(({ event }) => setValues(toValues(event)), (e: unknown) => setGeneral(message(e)));
  }, [id]);
  useReady(values !== null || general !== null);
  useMainButton(values ? (id ? 'Save changes' : 'Create event') : null, async () => {
    if (!values) return;
    setErrors({});
    setGeneral(null);
    try {
      const payload = toPayload(values, id !== null);
      const result = id ? await api.updateEvent(id, payload) : await api.createEvent(payload);
      tg.haptic('success');
      navigate(`events/${result.event.id}`, true);
    } catch (e) {
      tg.haptic('error');
      if (e instanceof ApiError && e.status === 422) {
        const byField: Record<string, string> = {};
        for (const { field, message: text } of e.fieldErrors()) {
          if (FIELDS.some((f) => f.name === field)) byField[field] = text;
          else setGeneral(text);
        }
        setErrors(byField);
      } else setGeneral(message(e));
    }
  });
  const deactivate = async () => {
    if (!id) return;
    try {
      await api.deactivateEvent(id);
      navigate('', true);
    } catch (e) {
      setGeneral(message(e));
    }
  };
  if (!values) return <main>{general ? <p class="state" role="alert">{general}</p> : <Skeleton count={1} />}</main>;
  const set = (name: string) => (e: { currentTarget: { value: string } }) =>
    setValues({ ...values, [name]: e.currentTarget.value });
  return (
    <main>
      <h1>{id ? 'Edit event' : 'New event'}</h1>
      <form class="form" onSubmit={(e) => e.preventDefault()} noValidate>
        {FIELDS.map(({ name, label, type, hint }) => {
          const err = errors[name];
          const common = {
            id: `f-${name}`,
            name,
            value: values[name] ?? '',
            // Typed text (a title, a description, a place) in any script sets its own direction.
            dir: type === undefined || type === 'textarea' ? ('auto' as const) : undefined,
            placeholder: hint,
            onInput: set(name),
            'aria-invalid': err ? true : undefined,
            'aria-describedby': err ? `e-${name}` : undefined,
          };
          return (
            <Field key={name} label={label} name={name} error={err}>
              {type === 'textarea' ? (
                <textarea rows={3} {...common} />
              ) : type === 'select' ? (
                <select {...common} onChange={set(name)}>
                  <option value="">None</option>
                  {CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
              ) : type === 'currency' ? (
                <input type="text" maxLength={3} autoCapitalize="characters" autoComplete="off" spellcheck={false} {...common} />
              ) : (
                <input type={type ?? 'text'} step={type === 'number' ? 'any' : undefined} {...common} />
              )}
            </Field>
          );
        })}
      </form>
      {general && <p class="notice error" role="alert">{general}</p>}
      {id && (
        <button type="button" class="button danger" onClick={deactivate}>
          Deactivate event
        </button>
      )}
    </main>
  );
}
