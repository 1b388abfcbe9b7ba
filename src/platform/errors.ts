/** The one error type of the service: a stable string code, an HTTP status and a human-readable message. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) => new AppError(code, 400, message, details);
export const unauthorized = (message = 'Thiếu hoặc sai mã truy cập (Bearer token).') => new AppError('UNAUTHORIZED', 401, message);
export const forbidden = (message = 'Mã truy cập không có quyền với tài nguyên này.') => new AppError('FORBIDDEN', 403, message);
export const notFound = (what: string) => new AppError('NOT_FOUND', 404, `Không tìm thấy ${what}.`);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) => new AppError(code, 409, message, details);
