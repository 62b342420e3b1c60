/**
 * The library API: createGateway() routes and prices in-process like the HTTP gateway, with
 * per-call price overrides and success/failure callbacks carrying the exact response cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallEvent, createGateway, formatMoney, parseMoney } from '../src/index.js';
import { startMockUpstream } from '../src/mock-upstream/server.js';

let mock: Awaited<ReturnType<typeof startMockUpstream>>;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const yaml = () => `
model_list:
  - model_name: my-gpt4-model
    litellm_params: { model: azure/gpt-4, api_base: "${mock.url}", api_key: k, api_version: "2024-10-21" }
    model_info:
      input_cost_per_token: 0.00003
      output_cost_per_token: 0.00006
  - model_name: offline
    litellm_params: { model: openai/gpt-4o, mock_response: "canned" }
  - model_name: broken
    litellm_params: { model: openai/fail-400, api_base: "${mock.url}/v1", api_key: k }
`;

describe('createGateway (in-process)', () => {
  it('prices like the gateway and reports the cost to the success callback', async () => {
    const events: CallEvent[] = [];
    const gw = createGateway({ config: yaml(), onSuccess: (e) => events.push(e) });
    const r = await gw.chatCompletions({
      model: 'my-gpt4-model',
      messages: [{ role: 'user', content: 'hello' }],
    });
    const u = r.response.usage as { prompt_tokens: number; completion_tokens: number };
    const expected =
      parseMoney('0.00003') * BigInt(u.prompt_tokens) + parseMoney('0.00006') * BigInt(u.completion_tokens);
    expect(r.responseCost).toBe(formatMoney(expected));
    expect(events).toHaveLength(1);
    expect(events[0].responseCost).toBe(r.responseCost);
    expect(events[0].event.status).toBe('success');
  });

  it('per-call price overrides win over the deployment price', async () => {
    const gw = createGateway({ config: yaml() });
    const r = await gw.chatCompletions({ model: 'offline', messages: [{ role: 'user', content: 'x' }] });
    // per-call overrides win over catalog prices
    const o = await gw.chatCompletions(
      { model: 'offline', messages: [{ role: 'user', content: 'x' }] },
      { overrides: { inputCostPerToken: '0.00003', outputCostPerToken: '0.00006' } },
    );
    const u = o.response.usage as { prompt_tokens: number; completion_tokens: number };
    expect(o.responseCost).toBe(
      formatMoney(
        parseMoney('0.00003') * BigInt(u.prompt_tokens) + parseMoney('0.00006') * BigInt(u.completion_tokens),
      ),
    );
    expect(o.responseCost).not.toBe(r.responseCost);
    expect(o.cost.source).not.toBe(r.cost.source);
  });

  it('failure callback gets the error and a zero cost', async () => {
    const failures: CallEvent[] = [];
    const gw = createGateway({ config: yaml(), onFailure: (e) => failures.push(e) });
    await expect(
      gw.chatCompletions({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 400 });
    expect(failures).toHaveLength(1);
    expect(failures[0].responseCost).toBe('0');
    expect(failures[0].event.status).toBe('failure');
  });

  it('streams chunks in-process, the last one carrying usage.cost', async () => {
    const gw = createGateway({ config: yaml() });
    const s = await gw.streamChatCompletions({
      model: 'my-gpt4-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const chunks: Record<string, any>[] = [];
    for await (const c of s.chunks) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)!.usage.cost).toBeGreaterThan(0);
    expect(chunks.at(-1)!.usage.request_id).toBe(s.requestId);
  });
});
