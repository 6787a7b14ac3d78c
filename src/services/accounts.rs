//! Sign-up and sign-in.

use crate::auth::password;
use crate::db::users::{self, NewUser, User};
use crate::db::{throttle, Store};
use crate::error::AppError;
use crate::models::{AccountKind, AccountStatus, DisplayName, Email, Handle, Password};

/// A sign-up form as submitted.
#[derive(Debug, Clone, Default)]
pub struct SignUpForm {
    pub email: String,
    pub handle: String,
    pub display_name: String,
    pub password: String,
    pub kind: String,
}

pub async fn sign_up(store: &Store, form: SignUpForm) -> Result<User, AppError> {
    let email = Email::parse(&form.email)?;
    let handle = Handle::parse(&form.handle)?;
    let display_name = DisplayName::parse(&form.display_name)?;
    let kind = AccountKind::parse(&form.kind)?;
    let password = Password::parse(&form.password, handle.as_str(), email.as_str())?;
    let password_hash = password::hash(password.expose().to_owned()).await?;
    users::create(
        store,
        NewUser {
            email,
            handle,
            display_name,
            kind,
            password_hash,
        },
    )
    .await
}

/// Signs in by email (pattern U2: the login item, then the account). The answer to a wrong
/// password and to an unknown email is the same, and takes the same time. After
/// `throttle::LIMIT` failures in a minute for the email or for the client's address, further
/// attempts are refused before any password is checked.
pub async fn sign_in_from(
    store: &Store,
    client: &str,
    email: &str,
    password: &str,
) -> Result<User, AppError> {
    let minute = chrono::Utc::now().timestamp() / 60;
    // A malformed email cannot match an account: it gets no account counter (and stays out of
    // the key, which DynamoDB limits in size); the address counter still applies.
    let account = Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_default();
    let client: String = client.chars().take(64).collect();
    let client = client.as_str();
    let keys: Vec<(&str, &str)> = [("email", account.as_str()), ("addr", client)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if throttle::counts(store, &keys, minute).await? >= throttle::LIMIT {
        return Err(AppError::TooManyRequests(
            "Too many failed sign-ins. Wait a minute, then try again.".into(),
        ));
    }
    let result = check_password(store, email, password).await;
    if matches!(result, Err(AppError::InvalidCredentials)) {
        throttle::record_failure(store, &keys, minute).await?;
    }
    result
}

/// Sign-in without a client address (in-process callers): only the per-account limit applies.
pub async fn sign_in(store: &Store, email: &str, password: &str) -> Result<User, AppError> {
    sign_in_from(store, "", email, password).await
}

async fn check_password(store: &Store, email: &str, password: &str) -> Result<User, AppError> {
    if password.is_empty() || password.len() > 1024 {
        return Err(AppError::InvalidCredentials);
    }
    let login = match Email::parse(email) {
        Ok(email) => users::login_record(store, &email).await?,
        Err(_) => None,
    };
    let ok = password::verify(
        password.to_owned(),
        login.as_ref().map(|l| l.password_hash.clone()),
    )
    .await?;
    let Some(login) = login.filter(|_| ok) else {
        return Err(AppError::InvalidCredentials);
    };
    let user = users::get(store, &login.user_id)
        .await?
        .ok_or(AppError::InvalidCredentials)?;
    if user.status == AccountStatus::Deactivated {
        return Err(AppError::Deactivated);
    }
    Ok(user)
}
