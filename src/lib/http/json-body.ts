// Reads a small JSON body, refusing oversized or malformed input with a clear 400/413.
import { API_ERROR } from "./error-codes";
import { ApiError } from "./errors";

const MAX_BODY_BYTES = 4 * 1024;

export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new ApiError(415, API_ERROR.unsupportedMediaType, "Send the body as application/json.");
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new ApiError(413, API_ERROR.bodyTooLarge, `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, API_ERROR.malformedJson, "The body is not valid JSON.");
  }
}
