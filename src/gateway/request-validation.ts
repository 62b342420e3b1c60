/**
 * @module gateway/request-validation
 * The shape checks every LLM call passes before admission: the fields each call type needs and the
 * sampling parameters' types and ranges as the OpenAI API checks them (request-params.ts), with a clear
 * 400 naming the field.
 */
import { GatewayError } from '../errors.js';
import type { CallType } from '../providers/types.js';
import { validateRequestParams } from './request-params.js';

/** A multipart upload under `field` (`image` also matches `image[]`, as the SDKs send several). */
function hasFile(body: Record<string, unknown>, field: string): boolean {
  const files = body.files;
  return (
    Array.isArray(files) &&
    files.some((f) => {
      const name = (f as { field?: unknown }).field;
      return name === field || name === `${field}[]`;
    })
  );
}

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
    case 'responses':
      need(
        'input',
        typeof body.input === 'string' || Array.isArray(body.input),
        'must be a string or an array',
      );
      break;
    case 'transcription':
    case 'translation':
      need('file', hasFile(body, 'file'), 'must be an uploaded audio file');
      break;
    case 'image_edit':
      need('image', hasFile(body, 'image'), 'must be an uploaded image');
      need('prompt', typeof body.prompt === 'string', 'must be a string');
      break;
    case 'image_variation':
      need('image', hasFile(body, 'image'), 'must be an uploaded image');
      break;
    case 'speech':
      need('input', typeof body.input === 'string' && body.input.length > 0, 'must be a non-empty string');
      break;
    case 'rerank':
      need('query', typeof body.query === 'string', 'must be a string');
      need(
        'documents',
        Array.isArray(body.documents) && body.documents.length > 0,
        'must be a non-empty array',
      );
      break;
    case 'moderation':
      need(
        'input',
        typeof body.input === 'string' || Array.isArray(body.input),
        'must be a string or an array',
      );
      break;
    case 'count_tokens':
      need('messages', Array.isArray(body.messages) && body.messages.length > 0, 'must be a non-empty array');
      break;
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    need('stream', false, 'must be a boolean');
  }
  validateRequestParams(callType, body);
}
