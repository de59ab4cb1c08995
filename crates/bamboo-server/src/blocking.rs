//! CPU-bound work off the threads that answer requests.

use crate::error::ApiError;

/// Runs CPU-bound work on the blocking pool, so that one heavy request never stalls the
/// threads that answer the others.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(ApiError::internal(format!("a worker task failed: {e}"))))
}
