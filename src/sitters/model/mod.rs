//! The Sitters jobs board: profiles, jobs, applications, reviews.

mod forms;

pub use forms::*;

use crate::accounts::model::{AccountKind, PersonRef, PersonSummary};
use crate::error::AppError;
use crate::model::text_field;
use crate::text_enum;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

text_enum! {
    pub enum JobStatus {
        Open = "OPEN",
        Booked = "BOOKED",
        Cancelled = "CANCELLED",
    }
}

impl JobStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
        }
    }
}

text_enum! {
    pub enum ApplicationStatus {
        Pending = "PENDING",
        Accepted = "ACCEPTED",
        Declined = "DECLINED",
    }
}

impl ApplicationStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
        }
    }
}

/// What a nanny's profile says publicly (the date of birth becomes an age).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NannyDetails {
    pub date_of_birth: Option<NaiveDate>,
    pub gender: String,
    pub languages: Vec<String>,
    pub hourly_rate_cents: u32,
    pub education: String,
    pub smokes: bool,
    pub drinks: bool,
    pub activities: Vec<String>,
}

/// A sitter profile as stored (public part). A review can create it with only the rating
/// fields, so every field has a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SitterProfile {
    pub full_name: String,
    pub city: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub about: String,
    /// Parents only.
    pub kids: Option<u8>,
    /// Nannies only.
    pub nanny: Option<NannyDetails>,
    pub rating_sum: u32,
    pub rating_count: u32,
}

/// Visible to the owner and admins only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivateDetails {
    pub phone: String,
    pub id_document: String,
}

/// A profile as anyone may see it: the age, not the date of birth; nothing private.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicSitter {
    pub full_name: String,
    pub city: String,
    pub about: String,
    pub kids: Option<u8>,
    pub age: Option<u32>,
    pub gender: String,
    pub languages: Vec<String>,
    pub hourly_rate_cents: Option<u32>,
    pub education: String,
    pub smokes: Option<bool>,
    pub drinks: Option<bool>,
    pub activities: Vec<String>,
    pub average: Option<f64>,
    pub rating_count: u32,
}

pub fn age_on(dob: NaiveDate, today: NaiveDate) -> u32 {
    let mut age = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

impl SitterProfile {
    pub fn public(&self, today: NaiveDate) -> PublicSitter {
        let n = self.nanny.clone();
        PublicSitter {
            full_name: self.full_name.clone(),
            city: self.city.clone(),
            about: self.about.clone(),
            kids: self.kids,
            age: n
                .as_ref()
                .and_then(|n| n.date_of_birth)
                .map(|d| age_on(d, today)),
            gender: n.as_ref().map(|n| n.gender.clone()).unwrap_or_default(),
            languages: n.as_ref().map(|n| n.languages.clone()).unwrap_or_default(),
            hourly_rate_cents: n.as_ref().map(|n| n.hourly_rate_cents),
            education: n.as_ref().map(|n| n.education.clone()).unwrap_or_default(),
            smokes: n.as_ref().map(|n| n.smokes),
            drinks: n.as_ref().map(|n| n.drinks),
            activities: n.as_ref().map(|n| n.activities.clone()).unwrap_or_default(),
            average: (self.rating_count > 0)
                .then(|| self.rating_sum as f64 / self.rating_count as f64),
            rating_count: self.rating_count,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub parent: PersonRef,
    pub job_type: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Only the owner and the booked nanny see it; empty for everyone else.
    pub address: String,
    pub city: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub kids: u8,
    pub cost_cents: u32,
    pub description: String,
    pub status: JobStatus,
    pub application_count: u32,
    pub accepted: Option<PersonRef>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub job_id: String,
    pub nanny: PersonRef,
    pub status: ApplicationStatus,
    pub message: String,
    pub applied_at: DateTime<Utc>,
    /// A copy of the job's headline, for "my applications".
    pub job_type: String,
    pub job_city: String,
    pub job_starts_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub job_id: String,
    pub reviewer: PersonRef,
    pub rating: u8,
    pub text: String,
    pub punctual: bool,
    pub again: bool,
    pub created_at: DateTime<Utc>,
}

/// A job page: the job, its parent's public profile, the viewer's relation to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobPage {
    pub job: Job,
    pub parent: Option<PublicSitter>,
    /// The owner sees every application; a nanny sees her own.
    pub applications: Vec<Application>,
    pub is_owner: bool,
    /// The viewer may review now (booked, ended, a party to it, not reviewed yet).
    pub can_review: bool,
}

/// A city as typed: trimmed, single-spaced; matched case-insensitively.
pub fn city_field(raw: &str) -> Result<String, AppError> {
    let c = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if c.is_empty() {
        return Err(AppError::validation("Enter a city."));
    }
    text_field(&c, "city", 60, true)
}

pub fn city_key(city: &str) -> String {
    city.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn coordinate(raw: &str, what: &str, limit: f64) -> Result<Option<f64>, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some(v)),
        _ => Err(AppError::validation(format!(
            "The {what} is a number between -{limit} and {limit}."
        ))),
    }
}

/// An amount typed as "12.50": cents.
pub fn money(raw: &str, what: &str) -> Result<u32, AppError> {
    let bad = || AppError::validation(format!("The {what} is an amount like 12.50."));
    let s = raw.trim().trim_start_matches(['€', '$', '£']).trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: u32 = whole.parse().map_err(|_| bad())?;
    let frac: u32 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    if whole > 100_000 {
        return Err(bad());
    }
    Ok(whole * 100 + frac)
}

pub fn format_money(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// What the Sitters hub shows me: my jobs (parent) or my applications (nanny).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SittersOverview {
    pub kind: AccountKind,
    pub jobs: Vec<Job>,
    pub applications: Vec<Application>,
}

/// A profile as its viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    pub person: PersonSummary,
    pub sitter: Option<PublicSitter>,
    pub reviews: Vec<Review>,
    /// The owner's and admins' eyes only.
    pub private: Option<PrivateDetails>,
    pub is_me: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_birthdays() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(age_on(d(2000, 6, 15), d(2026, 6, 14)), 25);
        assert_eq!(age_on(d(2000, 6, 15), d(2026, 6, 15)), 26);
    }

    #[test]
    fn job_times_are_entered_in_the_browsers_zone_and_stored_in_utc() {
        let form = JobForm {
            job_type: "Evening".into(),
            starts_at: "2031-05-01T18:00".into(),
            ends_at: "2031-05-01T21:00".into(),
            city: "Paris".into(),
            kids: "1".into(),
            cost: "50".into(),
            starts_offset: "-540".into(),
            ends_offset: "-540".into(),
            ..Default::default()
        };
        let f = form.parse().unwrap();
        assert_eq!(f.starts_at.to_rfc3339(), "2031-05-01T09:00:00+00:00");
        assert_eq!(f.ends_at.to_rfc3339(), "2031-05-01T12:00:00+00:00");
        let utc = JobForm {
            starts_offset: String::new(),
            ends_offset: String::new(),
            ..form.clone()
        };
        assert_eq!(
            utc.parse().unwrap().starts_at.to_rfc3339(),
            "2031-05-01T18:00:00+00:00"
        );
        for bad in ["x", "99999", "-1000"] {
            let f = JobForm {
                starts_offset: bad.into(),
                ..form.clone()
            };
            assert!(f.parse().is_err(), "{bad}");
        }
    }

    #[test]
    fn money_and_places() {
        assert_eq!(money("12.5", "cost").unwrap(), 1250);
        assert_eq!(money("€ 40", "cost").unwrap(), 4000);
        for bad in ["", "-3", "1.234", "abc", "1e5", "999999"] {
            assert!(money(bad, "cost").is_err(), "{bad}");
        }
        assert_eq!(format_money(1205), "12.05");
        assert_eq!(city_key("  New   York "), "new york");
        assert!(coordinate("91", "latitude", 90.0).is_err());
        assert_eq!(coordinate("", "latitude", 90.0).unwrap(), None);
        assert!((distance_km((48.8566, 2.3522), (51.5074, -0.1278)) - 343.5).abs() < 2.0);
    }

    #[test]
    fn public_profile_hides_the_birth_date() {
        let p = SitterProfile {
            nanny: Some(NannyDetails {
                date_of_birth: NaiveDate::from_ymd_opt(1999, 1, 1),
                ..Default::default()
            }),
            rating_sum: 9,
            rating_count: 2,
            ..Default::default()
        };
        let public = p.public(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(public.age, Some(27));
        assert_eq!(public.average, Some(4.5));
        assert!(!serde_json::to_string(&public).unwrap().contains("1999"));
    }
}
