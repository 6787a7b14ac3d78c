//! Sign-up and sign-in.

use crate::auth::password;
use crate::db::users::{self, NewUser, User};
use crate::db::Store;
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
/// password and to an unknown email is the same, and takes the same time.
pub async fn sign_in(store: &Store, email: &str, password: &str) -> Result<User, AppError> {
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
