//! The bearer-token extractor and the scope checks every table route makes.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;
use super::AppState;
use crate::db::catalog::TableInfo;
use crate::tokens::{self, Grant};

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller(pub Grant);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let secret = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .ok_or(ApiError::Unauthorized)?;
        let grant = tokens::verify(&state.db, secret)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Caller(grant))
    }
}

impl Caller {
    /// The enabled table `name`, if this caller may read it (and write it, when `write`).
    pub async fn table(
        &self,
        state: &AppState,
        name: &str,
        write: bool,
    ) -> Result<Arc<TableInfo>, ApiError> {
        let info = state
            .catalog
            .get(name)
            .await
            .ok_or_else(|| ApiError::NotFound(format!("no synced table is called {name:?}")))?;
        if !self.0.covers(name) {
            return Err(ApiError::Forbidden(format!(
                "this token does not cover table {name:?}"
            )));
        }
        if write && !self.0.can_write {
            return Err(ApiError::Forbidden(
                "this token may read but not write".to_string(),
            ));
        }
        Ok(info)
    }
}
