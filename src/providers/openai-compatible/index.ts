import { createOpenAIProvider } from "../openai";

/**
 * Any host that speaks OpenAI's Chat Completions (Groq, Mistral, DeepSeek, OpenRouter, Together,
 * Ollama, vLLM): the OpenAI adapter with the widely supported `max_tokens`, no key required
 * (local servers often take none), no `reasoning_effort` (not every host takes it), their
 * own reasoning sent back as `reasoning_content` (see OpenAIBodyOptions), and embeddings asked
 * for as floats (not every host implements base64).
 */
export const openaiCompatibleProvider = createOpenAIProvider("openai-compatible", {
  maxTokensField: "max_tokens",
  reasoningEffort: false,
  replayReasoning: true,
  requiresApiKey: false,
  embeddingFormat: "float",
});
