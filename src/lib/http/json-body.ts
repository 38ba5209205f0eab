// Reads a small JSON body, refusing oversized or malformed input with a clear 400/413.
import { ApiError } from "./errors";

const MAX_BODY_BYTES = 4 * 1024;

export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as application/json.");
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new ApiError(413, "body_too_large", `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", "The body is not valid JSON.");
  }
}
