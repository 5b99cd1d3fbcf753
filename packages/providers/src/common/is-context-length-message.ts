const CONTEXT_LENGTH_PATTERNS = [
  /maximum context length/i, // OpenAI, vLLM, DeepSeek, Mistral
  /context[ _-]?(?:length|window|limit)/i, // `context_length_exceeded`, Anthropic "exceed context limit"
  /prompt is too long/i, // Anthropic
  /exceeds the maximum number of tokens/i, // Gemini
  /input token count/i, // Gemini
  /too many tokens/i,
  /input tokens exceed/i, // OpenAI Responses-era models
  /reduce the length of the messages/i, // Groq
];

/** Whether a provider's 400/413 error text says the prompt does not fit the model. */
export function isContextLengthMessage(text: string | undefined): boolean {
  return text !== undefined && CONTEXT_LENGTH_PATTERNS.some((pattern) => pattern.test(text));
}
