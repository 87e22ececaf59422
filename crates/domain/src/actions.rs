//! Action plans (DOMAIN §5, "Action"): a plan (e.g. the 2018 Best Value
//! Assurance Report's) answers recommendations with actions, each with a
//! timescale and leads as written, an owner, a due date, a status, how far it
//! has got, progress notes and links to outcomes, services and risks. Pure
//! rules: when an action is overdue, which status and percentage go together,
//! and a plan's summary.
use crate::{Code, Email};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

vocabulary!(
    /// Where an action stands.
    ActionStatus, "action status" {
        NotStarted => "not-started",
        InProgress => "in-progress",
        Complete => "complete",
        Cancelled => "cancelled",
    }
);

impl ActionStatus {
    /// Whether the action is finished with (complete or cancelled): such an
    /// action is never overdue.
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Complete | ActionStatus::Cancelled)
    }
}

/// An action plan: the council's answer to an audit or inspection report (or
/// its own improvement plan), recommendation by recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionPlan {
    pub code: Code,
    pub title: String,
    /// What the plan answers, e.g. "Audit Scotland Best Value Assurance Report 2018".
    pub source: String,
    /// Who answers for the plan as a whole.
    pub owner: Option<Email>,
    /// When the plan was approved (e.g. by Council), if it has been.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub approved: Option<Date>,
    pub description: String,
}

/// One recommendation a plan answers, e.g. recommendation "1" of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    /// The plan's code.
    pub plan: Code,
    /// Its number or code within the plan, e.g. "1".
    pub code: Code,
    pub text: String,
}

/// A dated note of progress on an action, by whoever wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressNote {
    /// The day the progress is reported for (the `date` column of `action-progress.csv`).
    #[serde(rename = "date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub on: Date,
    /// Who reported it, as written (a name or a role).
    pub by: String,
    pub text: String,
}

/// A progress note with the action it is about (a row of `action-progress.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionProgress {
    /// The action's code.
    pub action: Code,
    #[serde(flatten)]
    pub note: ProgressNote,
}

/// An action in a plan, answering one of its recommendations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Action {
    /// Unique in the council, e.g. "BV18-A-i".
    pub code: Code,
    /// The plan's code.
    pub plan: Code,
    /// The recommendation's code within the plan.
    pub recommendation: Code,
    pub title: String,
    /// The leads as the plan writes them, e.g. "Council (Appointments Committee)".
    pub lead: String,
    /// The person in this system who answers for it.
    pub owner: Option<Email>,
    /// When it is due; none for ongoing actions.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due: Option<Date>,
    /// The timescale as the plan writes it, e.g. "May 2018 and ongoing".
    pub timescale: String,
    pub status: ActionStatus,
    /// 0–100; complete actions are at 100 and actions not started at 0.
    pub percent_complete: u8,
    pub outcomes: Vec<Code>,
    pub services: Vec<Code>,
    /// Risk codes, kept as written (not yet checked against a risk register).
    pub risks: Vec<Code>,
    /// Progress notes, oldest first.
    pub progress: Vec<ProgressNote>,
}

impl Action {
    /// Whether the action is overdue on `today` (see [`is_overdue`]).
    pub fn is_overdue(&self, today: Date) -> bool {
        is_overdue(self.due, self.status, today)
    }

    /// Whole days since the action fell due, when it is overdue on `today`
    /// (1 on the day after its due date).
    pub fn days_overdue(&self, today: Date) -> Option<i64> {
        match self.due {
            Some(d) if self.is_overdue(today) => Some((today - d).whole_days()),
            _ => None,
        }
    }
}

/// An action due on `due` with `status` is **overdue** on `today` when its due
/// date has passed (`due < today`: on the due day itself it is not yet late)
/// and it is neither complete nor cancelled. An action with no due date (an
/// ongoing one) is never overdue.
pub fn is_overdue(due: Option<Date>, status: ActionStatus, today: Date) -> bool {
    due.is_some_and(|d| d < today) && !status.is_closed()
}

/// Whether a status and a percentage complete go together: 0–100; a complete
/// action is 100% complete; an action not started is 0% complete; an action in
/// progress may be anywhere; a cancelled one keeps the percentage it reached.
/// The error is a sentence for the person who wrote them.
pub fn check_progress(status: ActionStatus, percent: i64) -> Result<(), String> {
    if !(0..=100).contains(&percent) {
        return Err(format!(
            "{percent} is not a percentage (use a whole number from 0 to 100)"
        ));
    }
    match status {
        ActionStatus::Complete if percent != 100 => Err(format!(
            "a complete action is 100% complete (found {percent}); mark it in progress instead"
        )),
        ActionStatus::NotStarted if percent != 0 => Err(format!(
            "an action not started is 0% complete (found {percent}); mark it in progress instead"
        )),
        _ => Ok(()),
    }
}

/// The percentage an action with `status` has when none is given: 100 when
/// complete, otherwise 0.
pub fn default_percent(status: ActionStatus) -> u8 {
    if status == ActionStatus::Complete {
        100
    } else {
        0
    }
}

/// A plan's actions counted by status, how many are overdue, and how far the
/// live ones have got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSummary {
    /// Every action in the plan.
    pub actions: usize,
    pub not_started: usize,
    pub in_progress: usize,
    pub complete: usize,
    pub cancelled: usize,
    /// Actions overdue on the summary's day (due date passed, neither complete nor cancelled).
    pub overdue: usize,
    /// The mean percentage complete of the actions not cancelled, rounded to
    /// the nearest whole percent (halves up); none when every action is
    /// cancelled or there are none.
    pub mean_percent_complete: Option<u8>,
}

impl PlanSummary {
    /// The summary of `actions` on `today`.
    pub fn of<'a>(actions: impl IntoIterator<Item = &'a Action>, today: Date) -> PlanSummary {
        let mut s = PlanSummary::default();
        let (mut total, mut counted) = (0u64, 0u64);
        for a in actions {
            s.actions += 1;
            match a.status {
                ActionStatus::NotStarted => s.not_started += 1,
                ActionStatus::InProgress => s.in_progress += 1,
                ActionStatus::Complete => s.complete += 1,
                ActionStatus::Cancelled => s.cancelled += 1,
            }
            if a.is_overdue(today) {
                s.overdue += 1;
            }
            if a.status != ActionStatus::Cancelled {
                total += u64::from(a.percent_complete);
                counted += 1;
            }
        }
        s.mean_percent_complete =
            (counted > 0).then(|| ((2 * total + counted) / (2 * counted)) as u8);
        s
    }
}

/// The due date a timescale as written implies: the last day of the first
/// month it names with a year ("March, 2018" → 2018-03-31; "May 2018 and
/// ongoing" → 2018-05-31); none when it names none ("Ongoing", "").
pub fn due_from_timescale(timescale: &str) -> Option<Date> {
    let words: Vec<&str> = timescale
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).find_map(|w| {
        let month = month_named(w[0])?;
        let year: i32 = w[1].parse().ok().filter(|_| w[1].len() == 4)?;
        Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()
    })
}

fn month_named(word: &str) -> Option<Month> {
    const MONTHS: [Month; 12] = [
        Month::January,
        Month::February,
        Month::March,
        Month::April,
        Month::May,
        Month::June,
        Month::July,
        Month::August,
        Month::September,
        Month::October,
        Month::November,
        Month::December,
    ];
    MONTHS
        .into_iter()
        .find(|m| m.to_string().eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus::*;
    use time::macros::date;

    fn action(status: ActionStatus, percent: u8, due: Option<Date>) -> Action {
        Action {
            code: Code::parse("A1").unwrap(),
            plan: Code::parse("P").unwrap(),
            recommendation: Code::parse("1").unwrap(),
            title: "Do it".into(),
            lead: String::new(),
            owner: None,
            due,
            timescale: String::new(),
            status,
            percent_complete: percent,
            outcomes: vec![],
            services: vec![],
            risks: vec![],
            progress: vec![],
        }
    }

    #[test]
    fn overdue_once_the_due_day_has_passed_unless_finished_with() {
        let due = Some(date!(2018 - 06 - 30));
        for (status, today, overdue) in [
            // The day before, the day itself: not yet late.
            (InProgress, date!(2018 - 06 - 29), false),
            (InProgress, date!(2018 - 06 - 30), false),
            // The day after: late, by one day.
            (InProgress, date!(2018 - 07 - 01), true),
            (NotStarted, date!(2018 - 07 - 01), true),
            (NotStarted, date!(2026 - 11 - 23), true),
            // Complete or cancelled actions are never overdue.
            (Complete, date!(2018 - 07 - 01), false),
            (Cancelled, date!(2026 - 11 - 23), false),
        ] {
            assert_eq!(
                is_overdue(due, status, today),
                overdue,
                "{status} on {today}"
            );
        }
        // An ongoing action (no due date) is never overdue.
        for status in ActionStatus::ALL {
            assert!(!is_overdue(None, *status, date!(2099 - 01 - 01)));
        }
        let a = action(InProgress, 50, due);
        assert_eq!(a.days_overdue(date!(2018 - 06 - 30)), None);
        assert_eq!(a.days_overdue(date!(2018 - 07 - 01)), Some(1));
        assert_eq!(a.days_overdue(date!(2019 - 06 - 30)), Some(365));
        assert_eq!(
            action(Complete, 100, due).days_overdue(date!(2019 - 06 - 30)),
            None
        );
    }

    #[test]
    fn status_and_percentage_go_together() {
        for (status, percent, ok) in [
            (Complete, 100, true),
            (Complete, 99, false),
            (Complete, 0, false),
            (NotStarted, 0, true),
            (NotStarted, 1, false),
            (InProgress, 0, true),
            (InProgress, 55, true),
            (InProgress, 100, true),
            // A cancelled action keeps what it reached.
            (Cancelled, 0, true),
            (Cancelled, 40, true),
            (Cancelled, 100, true),
            // Never outside 0–100.
            (InProgress, 101, false),
            (InProgress, -1, false),
            (Cancelled, 250, false),
        ] {
            assert_eq!(
                check_progress(status, percent).is_ok(),
                ok,
                "{status} at {percent}%"
            );
        }
        assert_eq!(
            check_progress(Complete, 80).unwrap_err(),
            "a complete action is 100% complete (found 80); mark it in progress instead"
        );
        assert_eq!(
            check_progress(NotStarted, 10).unwrap_err(),
            "an action not started is 0% complete (found 10); mark it in progress instead"
        );
        assert_eq!(
            check_progress(InProgress, 101).unwrap_err(),
            "101 is not a percentage (use a whole number from 0 to 100)"
        );
        assert_eq!(
            ActionStatus::ALL
                .iter()
                .map(|s| default_percent(*s))
                .collect::<Vec<_>>(),
            [0, 0, 100, 0]
        );
    }

    #[test]
    fn a_plans_summary() {
        let today = date!(2026 - 11 - 23);
        let past = Some(date!(2018 - 06 - 30));
        let future = Some(date!(2027 - 03 - 31));
        let actions = [
            action(Complete, 100, past),
            action(Complete, 100, Some(today)),
            action(InProgress, 75, past), // overdue
            action(InProgress, 40, None), // ongoing
            action(NotStarted, 0, past),  // overdue
            action(NotStarted, 0, future),
            action(Cancelled, 30, past), // not counted in the mean
        ];
        let s = PlanSummary::of(&actions, today);
        assert_eq!(
            s,
            PlanSummary {
                actions: 7,
                not_started: 2,
                in_progress: 2,
                complete: 2,
                cancelled: 1,
                overdue: 2,
                // (100 + 100 + 75 + 40 + 0 + 0) / 6 = 52.5 → 53
                mean_percent_complete: Some(53),
            }
        );
        // On the first due day nothing is yet overdue.
        assert_eq!(PlanSummary::of(&actions, date!(2018 - 06 - 30)).overdue, 0);
        assert_eq!(PlanSummary::of(&actions, date!(2018 - 07 - 01)).overdue, 2);
        // The one due in March 2027 is overdue from 1 April 2027.
        assert_eq!(PlanSummary::of(&actions, date!(2027 - 03 - 31)).overdue, 2);
        assert_eq!(PlanSummary::of(&actions, date!(2027 - 04 - 01)).overdue, 3);
        assert_eq!(PlanSummary::of(&[], today), PlanSummary::default());
        assert_eq!(
            PlanSummary::of(&[action(Cancelled, 50, None)], today).mean_percent_complete,
            None
        );
        for (percents, mean) in [
            (&[0u8, 1][..], 1),  // 0.5 rounds up
            (&[0, 0, 1], 0),     // 0.33 rounds down
            (&[33, 33, 34], 33), // 33.33
            (&[66, 67], 67),     // 66.5
            (&[100], 100),
        ] {
            let v: Vec<Action> = percents
                .iter()
                .map(|p| action(InProgress, *p, None))
                .collect();
            assert_eq!(
                PlanSummary::of(&v, today).mean_percent_complete,
                Some(mean),
                "{percents:?}"
            );
        }
    }

    #[test]
    fn due_dates_come_from_timescales_as_written() {
        for (timescale, due) in [
            ("March, 2018", Some(date!(2018 - 03 - 31))),
            ("May 2018", Some(date!(2018 - 05 - 31))),
            ("June 2018", Some(date!(2018 - 06 - 30))),
            ("April 2018", Some(date!(2018 - 04 - 30))),
            ("August 2018", Some(date!(2018 - 08 - 31))),
            ("May 2018 and ongoing", Some(date!(2018 - 05 - 31))),
            ("February 2020", Some(date!(2020 - 02 - 29))),
            ("february 2019", Some(date!(2019 - 02 - 28))),
            ("by December 2019", Some(date!(2019 - 12 - 31))),
            ("Ongoing", None),
            ("", None),
            ("May", None),
            ("May 18", None),
            ("2018", None),
        ] {
            assert_eq!(due_from_timescale(timescale), due, "{timescale:?}");
        }
    }

    #[test]
    fn statuses_have_a_text_form_and_the_notes_json_names_the_date() {
        for s in ActionStatus::ALL {
            assert_eq!(s.as_str().parse::<ActionStatus>().unwrap(), *s);
        }
        assert!("done".parse::<ActionStatus>().is_err());
        let note = ActionProgress {
            action: Code::parse("A1").unwrap(),
            note: ProgressNote {
                on: date!(2018 - 06 - 30),
                by: "Chief Executive".into(),
                text: "Agreed".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&note).unwrap(),
            serde_json::json!({"action": "A1", "date": "2018-06-30", "by": "Chief Executive", "text": "Agreed"})
        );
    }
}
