/** `1 line`, `2 lines`: a count with its noun, for what the CLI prints. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
