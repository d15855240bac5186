const POLICY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MAX_DSL = 256 * 1024;

export interface PolicyForm {
  id: string;
  tenant: string;
  status: 'ACTIVE' | 'SHADOW' | 'DRAFT';
  dsl: string;
}

export function policyFormErrors(form: PolicyForm, creating: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  if (creating && form.id.trim() !== '' && !POLICY_ID.test(form.id.trim()))
    errors.id = 'Letters, digits and . _ : - (at most 128), starting with a letter or digit.';
  if (form.tenant.trim() !== '' && !TENANT.test(form.tenant.trim()))
    errors.tenant = 'A tenant id: lowercase letters, digits and dashes.';
  if (form.dsl.trim() === '') errors.dsl = 'The policy needs a DSL with at least one rule.';
  else if (form.dsl.length > MAX_DSL) errors.dsl = 'The DSL is over 256 KiB.';
  return errors;
}

export function policyBody(form: PolicyForm, creating: boolean): Record<string, unknown> {
  return {
    ...(creating && form.id.trim() !== '' ? { id: form.id.trim() } : {}),
    ...(form.tenant.trim() !== '' ? { tenant: form.tenant.trim() } : {}),
    status: form.status,
    dsl: form.dsl,
  };
}

/** The dry-run's sample request: a JSON object with a `model`, or what is wrong with it. */
export function parseSampleRequest(text: string): {
  request?: Record<string, unknown>;
  error?: string;
} {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: 'The sample request must be a JSON object, like a chat completion request.' };
  const model = (value as Record<string, unknown>).model;
  if (typeof model !== 'string' || model === '')
    return { error: 'The sample request needs a "model".' };
  return { request: value as Record<string, unknown> };
}
