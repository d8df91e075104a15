// Saves a value as a pretty JSON file from the browser (the run's config snapshot).

export function jsonFileName(prefix: string, id: string): string {
  return `${prefix}-${id.slice(0, 8)}.json`;
}

export function downloadJson(value: unknown, fileName: string): void {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}
