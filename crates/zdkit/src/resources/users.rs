//! `client.users()`: list, get, me, create, update, create_or_update, search by email,
//! and [`UsersHandler::create_or_get`].

use http::Method;

use super::{get_json, write, ListRequest};
use crate::error::{Error, ErrorKind};
use crate::models::{Envelope, ListPage, NewUser, User, UserId, UserUpdate, Wrapped};
use crate::Client;

/// User operations. Made by [`Client::users`].
#[derive(Debug, Clone)]
pub struct UsersHandler {
    pub(crate) client: Client,
}

impl Client {
    /// User operations: `client.users().list()`, `.get(id)`, `.me()`, ….
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let me = client.users().me().await?;
    /// # let _ = me; Ok(()) }
    /// ```
    pub fn users(&self) -> UsersHandler {
        UsersHandler {
            client: self.clone(),
        }
    }
}

/// The outcome of a create-or-update / create-or-get.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UserUpsert {
    /// The user as Zendesk now has it.
    pub user: User,
    /// `true` if this call created the user; `false` if it existed (and was updated, for
    /// `create_or_update`).
    pub created: bool,
}

/// `true` when a 422 says the email (or external id) is already taken.
fn is_duplicate(e: &Error) -> bool {
    let Some(ErrorKind::Invalid { details }) = e.api().map(|a| &a.kind) else {
        return false;
    };
    details
        .values()
        .flatten()
        .any(|f| f.error.as_deref() == Some("DuplicateValue"))
}

impl UsersHandler {
    /// `GET /api/v2/users` (cursor pagination).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut users = client.users().list().stream();
    /// while let Some(u) = users.try_next().await? { println!("{:?}", u.email); }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListRequest<User> {
        ListRequest::new(&self.client, "/api/v2/users")
    }

    /// `GET /api/v2/users/{id}`.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let u = client.users().get(zdkit::models::UserId(7)).await?;
    /// # let _ = u; Ok(()) }
    /// ```
    pub async fn get(&self, id: UserId) -> Result<User, Error> {
        let env: Envelope<User> =
            get_json(&self.client, format!("/api/v2/users/{id}"), &()).await?;
        Ok(env.item)
    }

    /// `GET /api/v2/users/me`: the authenticated user.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// let me = client.users().me().await?;
    /// println!("{:?} ({:?})", me.name, me.role);
    /// # Ok(()) }
    /// ```
    pub async fn me(&self) -> Result<User, Error> {
        let env: Envelope<User> = get_json(&self.client, "/api/v2/users/me".into(), &()).await?;
        Ok(env.item)
    }

    /// `POST /api/v2/users`. A taken email fails with a 422 whose details say
    /// `DuplicateValue` (see [`UsersHandler::create_or_get`]).
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::NewUser;
    /// let u = client.users().create(&NewUser::new("Jo Doe", "jo@example.com")).await?;
    /// # let _ = u; Ok(()) }
    /// ```
    pub async fn create(&self, user: &NewUser) -> Result<User, Error> {
        let env: Envelope<User> = write(
            &self.client,
            Method::POST,
            "/api/v2/users".into(),
            Some(&user.wrapped()),
        )
        .await?
        .json()?;
        Ok(env.item)
    }

    /// `PUT /api/v2/users/{id}`.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::{UserId, UserUpdate};
    /// let change = UserUpdate { name: Some("Jo D.".into()), ..Default::default() };
    /// let u = client.users().update(UserId(7), &change).await?;
    /// # let _ = u; Ok(()) }
    /// ```
    pub async fn update(&self, id: UserId, update: &UserUpdate) -> Result<User, Error> {
        let env: Envelope<User> = write(
            &self.client,
            Method::PUT,
            format!("/api/v2/users/{id}"),
            Some(&update.wrapped()),
        )
        .await?
        .json()?;
        Ok(env.item)
    }

    /// `POST /api/v2/users/create_or_update`: matched by email or external id; 201 created,
    /// 200 updated.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::NewUser;
    /// let r = client.users().create_or_update(&NewUser::new("Jo", "jo@example.com")).await?;
    /// println!("{} created: {}", r.user.id, r.created);
    /// # Ok(()) }
    /// ```
    pub async fn create_or_update(&self, user: &NewUser) -> Result<UserUpsert, Error> {
        let resp = write(
            &self.client,
            Method::POST,
            "/api/v2/users/create_or_update".into(),
            Some(&Wrapped::new("user", user)),
        )
        .await?;
        let env: Envelope<User> = resp.json()?;
        Ok(UserUpsert {
            user: env.item,
            created: resp.status() == 201,
        })
    }

    /// `GET /api/v2/users/search?query=<email>`: the user with this email, if any.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// if let Some(u) = client.users().search_by_email("jo@example.com").await? {
    ///     println!("{}", u.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn search_by_email(&self, email: &str) -> Result<Option<User>, Error> {
        let page: ListPage<User> = get_json(
            &self.client,
            "/api/v2/users/search".into(),
            &[("query", email)],
        )
        .await?;
        Ok(page.items.into_iter().find(|u| {
            u.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        }))
    }

    /// Create the user, or return the existing one with the same email. A 422
    /// `DuplicateValue` (for instance when an earlier attempt of this very create went
    /// through but its answer was lost) counts as done: the existing user is fetched by
    /// email. Safe to call again after any failure.
    ///
    /// ```no_run
    /// # async fn demo(client: zdkit::Client) -> zdkit::Result<()> {
    /// use zdkit::models::NewUser;
    /// let r = client.users().create_or_get(&NewUser::new("Jo", "jo@example.com")).await?;
    /// println!("user {} (new: {})", r.user.id, r.created);
    /// # Ok(()) }
    /// ```
    pub async fn create_or_get(&self, user: &NewUser) -> Result<UserUpsert, Error> {
        match self.create(user).await {
            Ok(u) => Ok(UserUpsert {
                user: u,
                created: true,
            }),
            Err(e) if is_duplicate(&e) => {
                let Some(email) = user.email.as_deref() else {
                    return Err(e);
                };
                match self.search_by_email(email).await? {
                    Some(u) => Ok(UserUpsert {
                        user: u,
                        created: false,
                    }),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}
