-- Responses API (issue 13): who created each stored response and where it lives. Native pass-through
-- responses (OpenAI, Azure) are kept upstream: only their owner and deployment are stored here, so GET,
-- DELETE and input_items go to the deployment that created them and only to the key that created them.
-- Responses translated to chat completions (Anthropic, Ollama, …) are stored whole, with their input items.
CREATE TABLE IF NOT EXISTS tg_responses (
  id             text PRIMARY KEY,
  key_hash       text NOT NULL,
  model_group    text NOT NULL,
  deployment_id  text NOT NULL,
  native         boolean NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  response       jsonb,
  input_items    jsonb
);
CREATE INDEX IF NOT EXISTS tg_responses_created_at ON tg_responses (created_at);
