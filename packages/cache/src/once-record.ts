/** `<tag>\n<total>`, as INCREMENT_ONCE stores it. */
export function splitRecord(record: string): { tag: string; total: number } {
  const cut = record.lastIndexOf('\n')
  return { tag: record.slice(0, cut), total: Number(record.slice(cut + 1)) }
}
