import { ApiError } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";

// Any other path under /api: a 404 in the API's error shape rather than the HTML page.
const notFound = apiRoute(async (request: Request) => {
  throw new ApiError(404, "NOT_FOUND", `No API endpoint at ${new URL(request.url).pathname}`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
