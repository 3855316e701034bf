//! Authentication and coarse permissions: API token, OAuth bearer and (optionally)
//! password Basic auth. Runs before the rate-limit layer and inserts a [`Caller`].

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use crate::error::ApiError;
use crate::state::SimState;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// An end-user (customer).
    EndUser,
    /// An agent.
    Agent,
    /// An admin.
    Admin,
}

impl Role {
    fn of(role: &str) -> Role {
        match role {
            "admin" => Role::Admin,
            "agent" => Role::Agent,
            _ => Role::EndUser,
        }
    }
}

/// The authenticated caller, a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The user id.
    pub user_id: u64,
    /// The user's role.
    pub role: Role,
    /// A read-only OAuth token: writes are forbidden.
    pub read_only: bool,
}

/// Who the credentials in `authorization` belong to.
pub(crate) fn authenticate(
    state: &SimState,
    authorization: Option<&str>,
) -> Result<Caller, ApiError> {
    let cfg = state.config();
    let Some(value) = authorization else {
        return Err(ApiError::Unauthorized);
    };
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return if rest == cfg.oauth_token {
            Ok(Caller {
                user_id: 1,
                role: Role::Admin,
                read_only: false,
            })
        } else if rest == cfg.readonly_oauth_token {
            Ok(Caller {
                user_id: 1,
                role: Role::Admin,
                read_only: true,
            })
        } else {
            Err(ApiError::InvalidToken)
        };
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ApiError::Unauthorized);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(ApiError::Unauthorized)?;
    let (email, ok) = if let Some((email, token)) = decoded.split_once("/token:") {
        (email, token == cfg.api_token)
    } else if let Some((email, password)) = decoded.split_once(':') {
        (
            email,
            cfg.password.as_deref().is_some_and(|p| p == password),
        )
    } else {
        return Err(ApiError::Unauthorized);
    };
    if !ok {
        return Err(ApiError::Unauthorized);
    }
    let user = state
        .read()
        .user_by_email(state.seeds(), email)
        .ok_or(ApiError::Unauthorized)?;
    if user.suspended {
        return Err(ApiError::Unauthorized);
    }
    Ok(Caller {
        user_id: user.id,
        role: Role::of(user.role),
        read_only: false,
    })
}

/// Whether `caller` may make this request at all (403 otherwise).
fn permitted(caller: &Caller, method: &Method, path: &str) -> bool {
    if caller.read_only && !matches!(*method, Method::GET | Method::HEAD) {
        return false;
    }
    match caller.role {
        Role::Admin => true,
        Role::Agent => !path.starts_with("/api/v2/incremental"),
        Role::EndUser => path == "/api/v2/users/me",
    }
}

/// The middleware: 401 for bad credentials, 403 for forbidden requests, else inserts the
/// [`Caller`] extension.
pub(crate) async fn layer(State(state): State<SimState>, mut req: Request, next: Next) -> Response {
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = match authenticate(&state, auth) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let path = req.uri().path().trim_end_matches('/').to_string();
    if !permitted(&caller, req.method(), &path) {
        return ApiError::Forbidden.into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}
