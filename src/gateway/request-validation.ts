/**
 * @module gateway/request-validation
 * The shape checks every LLM call passes before admission: the fields each call type needs and the
 * sampling parameters' types and ranges as the OpenAI API checks them (request-params.ts), with a clear
 * 400 naming the field.
 */
import { GatewayError } from '../errors.js';
import type { CallType } from '../providers/types.js';
import { validateRequestParams } from './request-params.js';

export function validateBody(callType: CallType, body: Record<string, unknown>): void {
  const need = (field: string, ok: boolean, what: string) => {
    if (!ok) throw new GatewayError('TG_ERR_BAD_REQUEST', `Field "${field}" ${what}.`, { param: field });
  };
  switch (callType) {
    case 'chat':
    case 'anthropic_messages':
      need('messages', Array.isArray(body.messages) && body.messages.length > 0, 'must be a non-empty array');
      break;
    case 'completion':
      need(
        'prompt',
        typeof body.prompt === 'string' || Array.isArray(body.prompt),
        'must be a string or an array',
      );
      break;
    case 'embedding':
      need(
        'input',
        typeof body.input === 'string' || Array.isArray(body.input),
        'must be a string or an array',
      );
      break;
    case 'image_generation':
      need('prompt', typeof body.prompt === 'string', 'must be a string');
      break;
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    need('stream', false, 'must be a boolean');
  }
  validateRequestParams(callType, body);
}
