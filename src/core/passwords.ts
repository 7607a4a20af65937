const common = new Set([
  'password', 'password1', 'password123', '123456789', '1234567890', 'qwertyuiop', 'iloveyou', 'admin12345',
  'welcome123', 'letmein123', '1q2w3e4r5t', 'qwerty1234', 'abc1234567', '11111111111', '0000000000', 'changeme123',
]);

/** Checks a new password against the policy; returns the reason it is refused, or null. */
export function passwordProblem(password: string, minLength: number, personal: string[] = []): string | null {
  if ([...password].length < minLength) return `must be at least ${minLength} characters`;
  if ([...password].length > 256) return 'must be at most 256 characters';
  const lower = password.toLowerCase();
  if (common.has(lower)) return 'is too common';
  if (/^(.)\1+$/.test(password)) return 'must not repeat one character';
  for (const p of personal) {
    const v = (p.trim().toLowerCase().split('@')[0] ?? '').trim();
    if (v.length >= 4 && lower.includes(v)) return 'must not contain your name or e-mail';
  }
  return null;
}
