/**
 * A whole text in pieces of about a sentence, for answers replayed as a stream (from the cache):
 * clients that render as they read still see a stream. Every character is in exactly one piece
 * (a run up to and including its terminators and the space after, or the unterminated rest).
 */
export const textPieces = (text: string): string[] => text.match(/[^.!?\n]*[.!?\n]+\s*|[^.!?\n]+$/g) ?? [];
