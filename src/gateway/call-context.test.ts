import { describe, expect, it } from 'vitest';
import { readTracking, stripGatewayFields } from './call-context.js';

describe('metadata: gateway field or API field', () => {
  const body = {
    model: 'm',
    input: 'x',
    metadata: { tags: ['team:a'], purpose: 'eval' },
    mock_response: 'hi',
  };

  it('chat-style calls never forward metadata; tags come from metadata.tags', () => {
    expect(stripGatewayFields(body, 'chat')).toEqual({ model: 'm', input: 'x' });
    expect(readTracking(body, ['key-tag'])).toEqual({
      endUser: null,
      tags: ['team:a', 'key-tag'],
      metadata: { purpose: 'eval' },
    });
  });

  it('the Responses API gets its own metadata, without the gateway tags list', () => {
    expect(stripGatewayFields(body, 'responses')).toEqual({
      model: 'm',
      input: 'x',
      metadata: { purpose: 'eval' },
    });
    expect(stripGatewayFields({ metadata: { tags: ['t'] } }, 'responses')).toEqual({});
    // LiteLLM's litellm_metadata stays gateway-only.
    expect(stripGatewayFields({ litellm_metadata: { tags: ['t'] } }, 'responses')).toEqual({});
  });

  it('Anthropic-native calls keep only metadata.user_id', () => {
    expect(stripGatewayFields({ metadata: { user_id: 'u1', tags: ['t'] } }, 'anthropic_messages')).toEqual({
      metadata: { user_id: 'u1' },
    });
  });
});
