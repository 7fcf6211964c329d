import { useCallback, useEffect, useState } from 'preact/hooks';
import { ROLES, type Role, type RoleChange, type RoleMember } from '../api';
import { Field } from '../components/Field';
import { Skeleton } from '../components/Skeleton';
import { ApiError, message } from '../errors';
import { instant } from '../format';
import { useMainButton } from '../hooks/useMainButton';
import { useReady } from '../hooks/useReady';
import type { ScreenProps } from '../screen';
import * as tg from '../telegram';

/** The API's refusal of a role change, in words. */
function refusal(error: unknown, code: string): string {
  if (error instanceof ApiError) {
    if (error.status === 404) return `No member has the referral code ${code}.`;
    if (error.status === 409) {
      return typeof error.detail === 'string' ? `Not possible: ${error.detail}.` : 'Not possible: the last admin stays an admin.';
    }
    if (error.status === 403) return 'Only admins can change roles.';
    if (error.status === 422) return error.fieldErrors()[0]?.message ?? 'Check the code and the role.';
  }
  return message(error);
}

/** Admins: who is staff or admin, the role changes made (the audit list), and a form that
 * gives a member a role by their referral code ("member" takes a role away). */
export function RolesScreen({ api, user }: ScreenProps) {
  const [members, setMembers] = useState<RoleMember[] | null>(null);
  const [changes, setChanges] = useState<RoleChange[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [code, setCode] = useState('');
  const [role, setRole] = useState<Role>('staff');
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const admin = user?.role === 'admin';
  const load = useCallback(() => {
    setLoadError(null);
    api.roles().then((r) => {
      setMembers(r.members);
      setChanges(r.audit);
    }, setLoadError);
  }, []);
  useEffect(() => {
    if (admin) load();
  }, [admin, load]);
  useReady(members !== null || loadError !== null || (user !== null && !admin));

  const grant = async (referralCode: string, to: Role) => {
    setNotice(null);
    try {
      const { user: member, changed } = await api.setRole(referralCode, to);
      tg.haptic('success');
      const text = changed ? `${member.name} is now ${member.role}.` : `${member.name} already is ${member.role}.`;
      setNotice({ text, error: false });
      if (referralCode === code.trim()) setCode('');
      load();
    } catch (e) {
      tg.haptic('error');
      setNotice({ text: refusal(e, referralCode), error: true });
    }
  };
  const typed = code.trim();
  useMainButton(admin && typed ? `Make ${role}` : null, () => grant(typed, role));

  if (user && !admin) return <main><p class="state" role="alert">Only admins can change roles.</p></main>;
  return (
    <main>
      <h1>Roles</h1>
      <form class="form" onSubmit={(e) => e.preventDefault()} noValidate>
        <Field label="Member's referral code" name="code">
          <input
            id="f-code"
            name="code"
            value={code}
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </Field>
        <Field label="Role" name="role">
          <select id="f-role" name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        {/* The MainButton is Telegram's, below the page: say where the action is. */}
        <p class="meta">Type a member's referral code (on their profile), then the button below gives the role.</p>
      </form>
      {notice && (
        <p class={notice.error ? 'notice error' : 'notice'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      <h2 class="section">Staff and admins</h2>
      {loadError !== null ? (
        <div class="state" role="alert">
          <p>{message(loadError)}</p>
          <button type="button" class="button" onClick={load}>Try again</button>
        </div>
      ) : members === null ? (
        <Skeleton count={1} />
      ) : (
        <ul class="people">
          {members.map((m) => (
            <li key={m.referral_code} class="person">
              <div class="text">
                <span class="name" dir="auto">{m.name}</span>
                <span class="words code-small">{m.referral_code}</span>
              </div>
              <span class="tag">{m.role}</span>
              <button
                type="button"
                class="button small secondary"
                aria-label={`Revoke ${m.name}`}
                onClick={() => grant(m.referral_code, 'member')}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      {changes.length > 0 && (
        <>
          <h2 class="section">Changes</h2>
          <ul class="changes">
            {changes.map((c) => (
              <li key={c.id}>
                <span dir="auto">{c.by.name}</span> made <span dir="auto">{c.member.name}</span> {c.to_role} (was{' '}
                {c.from_role}) · <time dateTime={c.at}>{instant(c.at)}</time>
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
