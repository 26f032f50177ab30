export async function writeReport() {
  return [];
}
