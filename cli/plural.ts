/** `1 line`, `2 lines`: a count with its noun, for what the CLI prints. */
export const plural = (n: number, word: string, show: (n: number) => string = String): string =>
  `${show(n)} ${word}${n === 1 ? '' : 's'}`;
