// Drives Penwright with the official openai client, unchanged: a chat, a streamed chat, the model list and an error.
// Usage: node openai-check.mjs BASE_URL MODEL ; prints one JSON line with what it saw.
import OpenAI from 'openai';

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'not-needed-on-loopback', maxRetries: 0 });

const models = await client.models.list();
const ids = [];
for await (const m of models) ids.push(m.id);

const chat = await client.chat.completions.create({
  model, max_tokens: 8, messages: [{ role: 'user', content: 'write about the release' }],
});

const stream = await client.chat.completions.create({
  model, max_tokens: 8, stream: true, stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'stream about the release' }],
});
let streamed = '';
let streamUsage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  if (chunk.choices.length > 0) streamed += chunk.choices[0].delta?.content ?? '';
  if (chunk.usage) streamUsage = chunk.usage;
}

let errorStatus = null;
let errorCode = null;
try {
  await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
} catch (e) {
  errorStatus = e.status;
  errorCode = e.code ?? e.error?.code ?? null;
}

console.log(JSON.stringify({
  models: ids,
  chat: { text: chat.choices[0].message.content, finish: chat.choices[0].finish_reason, usage: chat.usage },
  stream: { text: streamed, chunks, usage: streamUsage },
  error: { status: errorStatus, code: errorCode },
}));
