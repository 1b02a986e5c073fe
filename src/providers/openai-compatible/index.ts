import { createOpenAIProvider } from "../openai";

/**
 * Any host that speaks OpenAI's Chat Completions (Groq, Mistral, DeepSeek, OpenRouter, Together,
 * Ollama, vLLM): the OpenAI adapter with the widely supported `max_tokens`, and no key required
 * (local servers often take none).
 */
export const openaiCompatibleProvider = createOpenAIProvider("openai-compatible", {
  maxTokensField: "max_tokens",
  requiresApiKey: false,
});
