//! The Sitters forms — post a job, review, edit a sitter profile — and their validation.

use super::*;
use crate::accounts::model::AccountKind;
use crate::error::AppError;
use crate::model::{optional_date, text_field};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// The new-job form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobForm {
    pub job_type: String,
    pub starts_at: String,
    pub ends_at: String,
    pub address: String,
    pub city: String,
    pub lat: String,
    pub lon: String,
    pub kids: String,
    pub cost: String,
    pub description: String,
    /// Minutes to add to the local start time to get UTC (the browser's offset for that date;
    /// empty: the times are UTC).
    #[serde(default)]
    pub starts_offset: String,
    #[serde(default)]
    pub ends_offset: String,
}

/// A job's fields, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct JobFields {
    pub job_type: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub address: String,
    pub city: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub kids: u8,
    pub cost_cents: u32,
    pub description: String,
}

fn when(raw: &str, what: &str) -> Result<DateTime<Utc>, AppError> {
    let s = raw.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map(|t| t.and_utc())
        .map_err(|_| {
            AppError::validation(format!("The {what} is a date and time (YYYY-MM-DDTHH:MM)."))
        })
}

/// A browser's offset from UTC in minutes (empty: none), at most 16 hours either way.
fn offset(raw: &str) -> Result<chrono::Duration, AppError> {
    match raw.trim() {
        "" => Ok(chrono::Duration::zero()),
        s => s
            .parse::<i64>()
            .ok()
            .filter(|m| m.abs() <= 16 * 60)
            .map(chrono::Duration::minutes)
            .ok_or_else(|| AppError::validation("The time zone of the form is not valid.")),
    }
}

fn kids_field(raw: &str) -> Result<u8, AppError> {
    raw.trim()
        .parse()
        .ok()
        .filter(|k| (1..=12).contains(k))
        .ok_or_else(|| AppError::validation("Number of kids: 1 to 12."))
}

impl JobForm {
    pub fn parse(&self) -> Result<JobFields, AppError> {
        let starts_at = when(&self.starts_at, "start")? + offset(&self.starts_offset)?;
        let ends_at = when(&self.ends_at, "end")? + offset(&self.ends_offset)?;
        if ends_at <= starts_at {
            return Err(AppError::validation("The job ends after it starts."));
        }
        let kids = kids_field(&self.kids)?;
        Ok(JobFields {
            job_type: text_field(&self.job_type, "job type", 80, true)?,
            starts_at,
            ends_at,
            address: text_field(&self.address, "address", 200, false)?,
            city: city_field(&self.city)?,
            lat: coordinate(&self.lat, "latitude", 90.0)?,
            lon: coordinate(&self.lon, "longitude", 180.0)?,
            kids,
            cost_cents: money(&self.cost, "cost")?,
            description: text_field(&self.description, "description", 2000, false)?,
        })
    }
}

/// The review form (checkboxes are present only when ticked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewForm {
    pub job_id: String,
    pub rating: String,
    pub text: String,
    pub punctual: Option<String>,
    pub again: Option<String>,
}

/// A review's fields, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewFields {
    pub rating: u8,
    pub text: String,
    pub punctual: bool,
    pub again: bool,
}

impl ReviewForm {
    pub fn parse(&self) -> Result<ReviewFields, AppError> {
        Ok(ReviewFields {
            rating: self
                .rating
                .trim()
                .parse()
                .ok()
                .filter(|r| (1..=5).contains(r))
                .ok_or_else(|| AppError::validation("Give a rating from 1 to 5."))?,
            text: text_field(&self.text, "review", 1000, false)?,
            punctual: self.punctual.is_some(),
            again: self.again.is_some(),
        })
    }
}

/// The sitter-profile form (parents fill in the kids, nannies the rest; checkboxes are present
/// only when ticked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub full_name: String,
    pub city: String,
    pub lat: String,
    pub lon: String,
    pub about: String,
    #[serde(default)]
    pub kids: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub languages: String,
    #[serde(default)]
    pub hourly_rate: String,
    #[serde(default)]
    pub education: String,
    pub smokes: Option<String>,
    pub drinks: Option<String>,
    #[serde(default)]
    pub activities: String,
    pub phone: String,
    pub id_document: String,
}

fn list_field(raw: &str, what: &str) -> Result<Vec<String>, AppError> {
    let items: Vec<String> = raw
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() > 20 || items.iter().any(|i| i.chars().count() > 40) {
        return Err(AppError::validation(format!(
            "List at most 20 {what}, each up to 40 characters."
        )));
    }
    Ok(items)
}

impl ProfileForm {
    /// The profile of an account of `kind` (parent or nanny), and its private details.
    pub fn parse(
        &self,
        kind: AccountKind,
        today: NaiveDate,
    ) -> Result<(SitterProfile, PrivateDetails), AppError> {
        let mut p = SitterProfile {
            full_name: text_field(&self.full_name, "full name", 80, true)?,
            city: city_field(&self.city)?,
            lat: coordinate(&self.lat, "latitude", 90.0)?,
            lon: coordinate(&self.lon, "longitude", 180.0)?,
            about: text_field(&self.about, "description", 2000, false)?,
            ..Default::default()
        };
        if kind == AccountKind::Parent {
            p.kids = Some(kids_field(&self.kids)?);
        } else {
            let dob = optional_date(&self.date_of_birth, "date of birth")?;
            if let Some(d) = dob {
                if age_on(d, today) < 16 {
                    return Err(AppError::validation("Nannies are at least 16 years old."));
                }
            }
            p.nanny = Some(NannyDetails {
                date_of_birth: dob,
                gender: text_field(&self.gender, "gender", 30, false)?,
                languages: list_field(&self.languages, "languages")?,
                hourly_rate_cents: if self.hourly_rate.trim().is_empty() {
                    0
                } else {
                    money(&self.hourly_rate, "hourly rate")?
                },
                education: text_field(&self.education, "education", 200, false)?,
                smokes: self.smokes.is_some(),
                drinks: self.drinks.is_some(),
                activities: list_field(&self.activities, "activities")?,
            });
        }
        let private = PrivateDetails {
            phone: text_field(&self.phone, "phone", 30, false)?,
            id_document: text_field(&self.id_document, "identity document number", 40, false)?,
        };
        Ok((p, private))
    }
}
