//! The action plans' import/export formats: `action-plans.csv`,
//! `recommendations.csv`, `actions.csv` and `action-progress.csv`. Each is
//! validated whole against what is held (the framework, and the plans,
//! recommendations and actions already imported); nothing is returned unless
//! every row is valid.
use crate::rows::{Row, done, each_row, required_table};
use crate::table::{ImportError, Source};
use goldthread_domain::actions::{
    Action, ActionPlan, ActionProgress, ActionStatus, ProgressNote, Recommendation, check_progress,
    default_percent,
};
use goldthread_domain::framework::Framework;
use goldthread_domain::{Code, Email};
use std::collections::{BTreeMap, BTreeSet};

pub const ACTION_PLANS: &[&str] = &[
    "code",
    "title",
    "source",
    "owner",
    "approved",
    "description",
];
pub const RECOMMENDATIONS: &[&str] = &["plan", "code", "text"];
pub const ACTIONS: &[&str] = &[
    "code",
    "plan",
    "recommendation",
    "title",
    "lead",
    "owner",
    "due",
    "timescale",
    "status",
    "percent_complete",
    "outcomes",
    "services",
    "risks",
];
pub const ACTION_PROGRESS: &[&str] = &["action", "date", "by", "text"];

fn people(fw: &Framework) -> BTreeSet<Email> {
    fw.people.iter().map(|p| p.email.clone()).collect()
}

/// Reads and validates `action-plans.csv`: codes unique; a title; the owner,
/// if any, a known person; the approval date, if any, a real date.
pub fn read_plans(source: &Source, fw: &Framework) -> Result<Vec<ActionPlan>, Vec<ImportError>> {
    let t = required_table(source, "action-plans")?;
    let people = people(fw);
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), ACTION_PLANS, &mut errors, |r| {
        let code = r.code("code");
        let title = r.required("title");
        let owner = r.email("owner", false);
        if let Some(o) = &owner {
            r.known_person("owner", o.as_ref(), &people);
        }
        let approved = r.date("approved", false);
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (Some(code), Some(title), Some(owner), Some(approved)) =
            (code, title, owner, approved)
            && owner.as_ref().is_none_or(|o| people.contains(o))
        {
            out.push(ActionPlan {
                code,
                title,
                source: r.optional("source"),
                owner,
                approved,
                description: r.optional("description"),
            });
        }
    });
    done(errors, out)
}

/// Reads and validates `recommendations.csv` against the plans held: a known
/// plan, a code unique within it, and the recommendation's text.
pub fn read_recommendations(
    source: &Source,
    plans: &[Code],
) -> Result<Vec<Recommendation>, Vec<ImportError>> {
    let t = required_table(source, "recommendations")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), RECOMMENDATIONS, &mut errors, |r| {
        let plan = r.code("plan");
        if let Some(p) = &plan
            && !plans.contains(p)
        {
            r.error("plan", unknown_plan(p));
        }
        let code = r.code("code");
        let text = r.required("text");
        if let (Some(p), Some(c)) = (&plan, &code)
            && r.duplicate(
                &mut seen,
                "code",
                (p.clone(), c.clone()),
                &format!("'{c}' of plan {p}"),
            )
        {
            return;
        }
        if let (Some(plan), Some(code), Some(text)) = (plan, code, text)
            && plans.contains(&plan)
        {
            out.push(Recommendation { plan, code, text });
        }
    });
    done(errors, out)
}

fn unknown_plan(p: &Code) -> String {
    format!("unknown action plan '{p}' (import it in action-plans.csv first)")
}

/// What `actions.csv` is checked against: the framework (outcomes, services,
/// people), the plans held and each plan's recommendations.
pub struct ActionContext<'a> {
    pub framework: &'a Framework,
    pub plans: &'a [Code],
    /// (plan, recommendation) pairs held.
    pub recommendations: &'a [(Code, Code)],
    /// The codes in the risk register (an action may mitigate them).
    pub risks: &'a BTreeSet<Code>,
}

/// Reads and validates `actions.csv`: codes unique; a known plan and one of
/// its recommendations; a title; the owner a known person; the due date a real
/// date; the status one of not-started, in-progress, complete, cancelled
/// (empty = not-started); the percentage complete a whole number 0–100 (empty
/// = 100 when complete, else 0) that goes with the status; outcomes and
/// services known; risks in the risk register. Progress notes are not in
/// this file: each action read has none.
pub fn read_actions(source: &Source, k: &ActionContext) -> Result<Vec<Action>, Vec<ImportError>> {
    let t = required_table(source, "actions")?;
    let fw = k.framework;
    let people = people(fw);
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), ACTIONS, &mut errors, |r| {
        let code = r.code("code");
        let plan = r.code("plan");
        let plan_known = plan.as_ref().is_some_and(|p| k.plans.contains(p));
        if let Some(p) = &plan
            && !plan_known
        {
            r.error("plan", unknown_plan(p));
        }
        let recommendation = r.code("recommendation");
        let rec_known = match (&plan, &recommendation) {
            (Some(p), Some(c)) => k.recommendations.iter().any(|(rp, rc)| rp == p && rc == c),
            _ => false,
        };
        if let (Some(p), Some(c)) = (&plan, &recommendation)
            && plan_known
            && !rec_known
        {
            r.error(
                "recommendation",
                format!(
                    "plan {p} has no recommendation '{c}' (import it in recommendations.csv first)"
                ),
            );
        }
        let title = r.required("title");
        let owner = r.email("owner", false);
        if let Some(o) = &owner {
            r.known_person("owner", o.as_ref(), &people);
        }
        let due = r.date("due", false);
        let status = match r.optional("status").as_str() {
            "" => Some(ActionStatus::NotStarted),
            v => v
                .parse::<ActionStatus>()
                .map_err(|e| r.error("status", e))
                .ok(),
        };
        let percent = percent(r, status);
        let outcomes = r.codes("outcomes");
        for o in outcomes.iter().flatten() {
            if fw.outcome(o.as_str()).is_none() {
                r.error("outcomes", format!("unknown outcome code '{o}'"));
            }
        }
        let services = r.codes("services");
        for s in services.iter().flatten() {
            if fw.service(s.as_str()).is_none() {
                r.error("services", format!("unknown service code '{s}'"));
            }
        }
        let risks = r.codes("risks");
        for c in risks.iter().flatten() {
            if !k.risks.contains(c) {
                r.error("risks", format!("unknown risk code '{c}'"));
            }
        }
        if let Some(c) = &code
            && r.duplicate(&mut seen, "code", c.clone(), &format!("'{c}'"))
        {
            return;
        }
        if let (
            Some(code),
            Some(plan),
            Some(recommendation),
            Some(title),
            Some(owner),
            Some(due),
            Some(status),
            Some(percent_complete),
            Some(outcomes),
            Some(services),
            Some(risks),
        ) = (
            code,
            plan,
            recommendation,
            title,
            owner,
            due,
            status,
            percent,
            outcomes,
            services,
            risks,
        ) && rec_known
            && owner.as_ref().is_none_or(|o| people.contains(o))
            && outcomes.iter().all(|o| fw.outcome(o.as_str()).is_some())
            && services.iter().all(|s| fw.service(s.as_str()).is_some())
        {
            out.push(Action {
                code,
                plan,
                recommendation,
                title,
                lead: r.optional("lead"),
                owner,
                due,
                timescale: r.optional("timescale"),
                status,
                percent_complete,
                outcomes,
                services,
                risks,
                progress: Vec::new(),
            });
        }
    });
    done(errors, out)
}

/// The `percent_complete` cell: a whole number 0–100 (a trailing `%` allowed),
/// or empty for the status's default; it must go with the status.
fn percent(r: &mut Row<'_>, status: Option<ActionStatus>) -> Option<u8> {
    let v = r.optional("percent_complete");
    let n = match v.trim_end_matches('%').trim() {
        "" => return status.map(default_percent),
        t => match t.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                r.error(
                    "percent_complete",
                    format!("'{v}' is not a whole percentage (use a whole number from 0 to 100)"),
                );
                return None;
            }
        },
    };
    let status = status?;
    match check_progress(status, n) {
        Ok(()) => u8::try_from(n).ok(),
        Err(e) => {
            r.error("percent_complete", e);
            None
        }
    }
}

/// Reads and validates `action-progress.csv` against the actions `known`
/// (held already): a date, who reported it and what they said are required;
/// the same note (action, date, by and text) may appear only once.
pub fn read_progress(
    source: &Source,
    known: &[Code],
) -> Result<Vec<ActionProgress>, Vec<ImportError>> {
    let t = required_table(source, "action-progress")?;
    let (mut errors, mut out, mut seen) = (Vec::new(), Vec::new(), BTreeMap::new());
    each_row(&Some(t), ACTION_PROGRESS, &mut errors, |r| {
        let action = r.code("action");
        if let Some(a) = &action
            && !known.contains(a)
        {
            r.error(
                "action",
                format!("unknown action code '{a}' (import it in actions.csv first)"),
            );
        }
        let date = r.date("date", true).flatten();
        let by = r.required("by");
        let text = r.required("text");
        if let (Some(a), Some(d), Some(b), Some(t)) = (&action, &date, &by, &text)
            && r.duplicate(
                &mut seen,
                "text",
                (a.clone(), *d, b.clone(), t.clone()),
                &format!("the note by {b} on {d} for {a}"),
            )
        {
            return;
        }
        if let (Some(action), Some(on), Some(by), Some(text)) = (action, date, by, text)
            && known.contains(&action)
        {
            out.push(ActionProgress {
                action,
                note: ProgressNote { on, by, text },
            });
        }
    });
    done(errors, out)
}

fn join(c: &[Code]) -> String {
    c.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(";")
}

fn date(d: Option<time::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// `action-plans.csv` rows, as the import reads them.
pub fn plan_rows(v: &[ActionPlan]) -> Vec<Vec<String>> {
    v.iter()
        .map(|p| {
            vec![
                p.code.to_string(),
                p.title.clone(),
                p.source.clone(),
                p.owner.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                date(p.approved),
                p.description.clone(),
            ]
        })
        .collect()
}

/// `recommendations.csv` rows, as the import reads them.
pub fn recommendation_rows(v: &[Recommendation]) -> Vec<Vec<String>> {
    v.iter()
        .map(|r| vec![r.plan.to_string(), r.code.to_string(), r.text.clone()])
        .collect()
}

/// `actions.csv` rows, as the import reads them (progress notes are in
/// `action-progress.csv`).
pub fn action_rows(v: &[Action]) -> Vec<Vec<String>> {
    v.iter()
        .map(|a| {
            vec![
                a.code.to_string(),
                a.plan.to_string(),
                a.recommendation.to_string(),
                a.title.clone(),
                a.lead.clone(),
                a.owner.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                date(a.due),
                a.timescale.clone(),
                a.status.to_string(),
                a.percent_complete.to_string(),
                join(&a.outcomes),
                join(&a.services),
                join(&a.risks),
            ]
        })
        .collect()
}

/// `action-progress.csv` rows, as the import reads them.
pub fn progress_rows(v: &[ActionProgress]) -> Vec<Vec<String>> {
    v.iter()
        .map(|p| {
            vec![
                p.action.to_string(),
                p.note.on.to_string(),
                p.note.by.clone(),
                p.note.text.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use goldthread_domain::actions::due_from_timescale;
    use time::macros::date;

    fn src(name: &str, body: &str) -> Source {
        Source::Csv(
            [(format!("{name}.csv"), body.as_bytes().to_vec())]
                .into_iter()
                .collect(),
        )
    }

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn demo_dir() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/clackmannanshire")
    }

    fn fw() -> Framework {
        let i = crate::framework::read(&Source::Dir(demo_dir()), &Framework::default()).unwrap();
        Framework {
            people: i.people,
            outcomes: i.outcomes,
            services: i.services,
            portfolios: i.portfolios,
            ..Default::default()
        }
    }

    fn shown(e: Vec<ImportError>) -> Vec<String> {
        e.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn plans_need_a_code_a_title_and_a_known_owner() {
        let h = ACTION_PLANS.join(",");
        let body = format!(
            "{h}\nBV18,Best Value action plan,Audit Scotland,chief.executive@demo.example,2018-03-08,\n\
             BV18,Again,,,,\n\
             ,,,nobody@demo.example,2018-02-30,\n\
             SA26,Self-assessment,,not an email,,\n"
        );
        let e = read_plans(&src("action-plans", &body), &fw()).unwrap_err();
        assert_eq!(
            shown(e),
            [
                "action-plans.csv:3:code: 'BV18' is a duplicate of row 2",
                "action-plans.csv:4:code: is required",
                "action-plans.csv:4:title: is required",
                "action-plans.csv:4:owner: unknown person 'nobody@demo.example' (add them to people.csv)",
                "action-plans.csv:4:approved: '2018-02-30' is not a date (use YYYY-MM-DD)",
                "action-plans.csv:5:owner: 'not an email' is not a valid email address",
            ]
        );
        let ok = read_plans(
            &src(
                "action-plans",
                &format!("{h}\nBV18,Best Value action plan,Audit Scotland,,2018-03-08,Notes\n"),
            ),
            &fw(),
        )
        .unwrap();
        assert_eq!(
            ok,
            [ActionPlan {
                code: code("BV18"),
                title: "Best Value action plan".into(),
                source: "Audit Scotland".into(),
                owner: None,
                approved: Some(date!(2018 - 03 - 08)),
                description: "Notes".into(),
            }]
        );
        assert_eq!(
            plan_rows(&ok),
            [[
                "BV18",
                "Best Value action plan",
                "Audit Scotland",
                "",
                "2018-03-08",
                "Notes"
            ]]
        );
    }

    #[test]
    fn recommendations_belong_to_a_known_plan_once() {
        let h = RECOMMENDATIONS.join(",");
        let body =
            format!("{h}\nBV18,1,Lead together\nBV18,1,Again\nNOPE,2,x\nBV18,,\nBV18,3 b,x\n");
        let e = read_recommendations(&src("recommendations", &body), &[code("BV18")]).unwrap_err();
        let bad = Code::parse("3 b").unwrap_err().0;
        assert_eq!(
            shown(e),
            [
                "recommendations.csv:3:code: '1' of plan BV18 is a duplicate of row 2".to_string(),
                "recommendations.csv:4:plan: unknown action plan 'NOPE' (import it in action-plans.csv first)".into(),
                "recommendations.csv:5:code: is required".into(),
                "recommendations.csv:5:text: is required".into(),
                format!("recommendations.csv:6:code: {bad}"),
            ]
        );
        // The same code in two plans is two recommendations.
        let ok = read_recommendations(
            &src("recommendations", &format!("{h}\nBV18,1,One\nSA26,1,Uno\n")),
            &[code("BV18"), code("SA26")],
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(recommendation_rows(&ok)[1], ["SA26", "1", "Uno"]);
    }

    static RISKS: std::sync::LazyLock<BTreeSet<Code>> =
        std::sync::LazyLock::new(|| [code("DR-7"), code("OR-3")].into());

    fn context_of<'a>(fw: &'a Framework, recs: &'a [(Code, Code)]) -> ActionContext<'a> {
        ActionContext {
            framework: fw,
            plans: &[],
            recommendations: recs,
            risks: &RISKS,
        }
    }

    #[test]
    fn every_problem_with_an_action_is_named_by_row_and_column() {
        let fw = fw();
        let recs = vec![(code("BV18"), code("1")), (code("BV18"), code("2"))];
        let plans = vec![code("BV18")];
        let k = ActionContext {
            plans: &plans,
            ..context_of(&fw, &recs)
        };
        let h = ACTIONS.join(",");
        let body = format!(
            "{h}\n\
             BV18-A-i,BV18,1,Agree the service functions,Council (all elected members),,2018-03-31,\"March, 2018\",complete,100,CP6,CS-HR,\n\
             BV18-A-i,BV18,1,Again,,,,,,,,,\n\
             BV18-X,NOPE,1,Unknown plan,,,,,,,,,\n\
             BV18-Y,BV18,9,Unknown recommendation,,nobody@demo.example,2018-06-31,,done,,LO9,NOPE,DR-9\n\
             BV18-Z,BV18,2,,,,,,complete,80,,,\n\
             BV18-W,BV18,2,Not started but half done,,,,,not-started,50,,,\n\
             BV18-V,BV18,2,Out of range,,,,,in-progress,101,,,\n\
             BV18-U,BV18,2,Not a number,,,,,in-progress,half,,,R1;R1\n\
             ,,,,A lead but nothing else,,,,,,,,\n"
        );
        let e = read_actions(&src("actions", &body), &k).unwrap_err();
        assert_eq!(
            shown(e),
            [
                "actions.csv:3:code: 'BV18-A-i' is a duplicate of row 2",
                "actions.csv:4:plan: unknown action plan 'NOPE' (import it in action-plans.csv first)",
                "actions.csv:5:recommendation: plan BV18 has no recommendation '9' (import it in recommendations.csv first)",
                "actions.csv:5:owner: unknown person 'nobody@demo.example' (add them to people.csv)",
                "actions.csv:5:due: '2018-06-31' is not a date (use YYYY-MM-DD)",
                "actions.csv:5:status: unknown action status 'done' (expected one of: not-started, in-progress, complete, cancelled)",
                "actions.csv:5:outcomes: unknown outcome code 'LO9'",
                "actions.csv:5:services: unknown service code 'NOPE'",
                "actions.csv:5:risks: unknown risk code 'DR-9'",
                "actions.csv:6:title: is required",
                "actions.csv:6:percent_complete: a complete action is 100% complete (found 80); mark it in progress instead",
                "actions.csv:7:percent_complete: an action not started is 0% complete (found 50); mark it in progress instead",
                "actions.csv:8:percent_complete: 101 is not a percentage (use a whole number from 0 to 100)",
                "actions.csv:9:percent_complete: 'half' is not a whole percentage (use a whole number from 0 to 100)",
                "actions.csv:9:risks: 'R1' is listed twice",
                "actions.csv:10:code: is required",
                "actions.csv:10:plan: is required",
                "actions.csv:10:recommendation: is required",
                "actions.csv:10:title: is required",
            ]
        );
    }

    #[test]
    fn good_actions_are_read_with_defaults_and_written_back_as_read() {
        let fw = fw();
        let recs = vec![(code("BV18"), code("2"))];
        let plans = vec![code("BV18")];
        let k = ActionContext {
            plans: &plans,
            ..context_of(&fw, &recs)
        };
        let h = ACTIONS.join(",");
        let body = format!(
            "{h}\n\
             BV18-D-iv,BV18,2,Adopt a revised Procurement Strategy,Head of Resources & Governance,sm.commissioning@demo.example,2018-04-30,April 2018,complete,,,CS-PROC,\n\
             BV18-D-v,BV18,2,Asset transfer,Head of Strategy & Customer Services,,,Ongoing,in-progress,50%,LO4,PE-ASSET,DR-7;OR-3\n\
             BV18-D-vi,BV18,2,Not yet,,,,,,,,,\n\
             BV18-D-vii,BV18,2,Dropped,,,,,cancelled,30,,,\n"
        );
        let v = read_actions(&src("actions", &body), &k).unwrap();
        assert_eq!(v[0].status, ActionStatus::Complete);
        assert_eq!(v[0].percent_complete, 100, "complete defaults to 100");
        assert_eq!(
            v[0].owner.as_ref().unwrap().as_str(),
            "sm.commissioning@demo.example"
        );
        assert_eq!(v[0].due, Some(date!(2018 - 04 - 30)));
        assert_eq!(v[1].percent_complete, 50);
        assert_eq!(v[1].due, None);
        assert_eq!(v[1].risks, [code("DR-7"), code("OR-3")]);
        assert_eq!(
            (v[2].status, v[2].percent_complete),
            (ActionStatus::NotStarted, 0)
        );
        assert_eq!(
            (v[3].status, v[3].percent_complete),
            (ActionStatus::Cancelled, 30)
        );
        assert!(v.iter().all(|a| a.progress.is_empty()));
        let rows = action_rows(&v);
        assert_eq!(
            rows[1],
            [
                "BV18-D-v",
                "BV18",
                "2",
                "Asset transfer",
                "Head of Strategy & Customer Services",
                "",
                "",
                "Ongoing",
                "in-progress",
                "50",
                "LO4",
                "PE-ASSET",
                "DR-7;OR-3"
            ]
        );
        let again = crate::framework::csv_bytes(ACTIONS, &rows).unwrap();
        assert_eq!(
            read_actions(&src("actions", std::str::from_utf8(&again).unwrap()), &k).unwrap(),
            v
        );
    }

    #[test]
    fn progress_notes_need_a_known_action_a_date_who_and_what() {
        let h = ACTION_PROGRESS.join(",");
        let body = format!(
            "{h}\nBV18-B,2018-06-29,Chief Executive,PMO established\n\
             BV18-B,2018-06-29,Chief Executive,PMO established\n\
             BV18-B,2018-06-29,Chief Executive,Second note the same day\n\
             NOPE,2018-13-01,,\n"
        );
        let e = read_progress(&src("action-progress", &body), &[code("BV18-B")]).unwrap_err();
        assert_eq!(
            shown(e),
            [
                "action-progress.csv:3:text: the note by Chief Executive on 2018-06-29 for BV18-B is a duplicate of row 2",
                "action-progress.csv:5:action: unknown action code 'NOPE' (import it in actions.csv first)",
                "action-progress.csv:5:date: '2018-13-01' is not a date (use YYYY-MM-DD)",
                "action-progress.csv:5:by: is required",
                "action-progress.csv:5:text: is required",
            ]
        );
        let ok = read_progress(
            &src(
                "action-progress",
                &format!("{h}\nBV18-B,2018-06-29,Chief Executive,\"PMO established, staffed\"\n"),
            ),
            &[code("BV18-B")],
        )
        .unwrap();
        assert_eq!(ok[0].note.on, date!(2018 - 06 - 29));
        assert_eq!(
            progress_rows(&ok)[0],
            [
                "BV18-B",
                "2018-06-29",
                "Chief Executive",
                "PMO established, staffed"
            ]
        );
    }

    #[test]
    fn the_files_and_their_headers_are_required() {
        let e =
            read_actions(&Source::Csv(Default::default()), &context_of(&fw(), &[])).unwrap_err();
        assert_eq!(
            shown(e),
            ["actions: found no actions.csv (or sheet 'actions')"]
        );
        let e = read_progress(&src("action-progress", "action,day,by,text\n"), &[]).unwrap_err();
        assert_eq!(
            shown(e),
            [
                "action-progress.csv:1:date: the headers must be exactly 'action,date,by,text' (found 'action,day,by,text')"
            ]
        );
    }

    /// The demo's 2018 Best Value action plan (DEMO-DATA §6c) round-trips
    /// through export, and every due date is the last day of the month its
    /// timescale names (none for "Ongoing").
    #[test]
    fn the_demo_files_round_trip_through_export() {
        let fw = fw();
        let dir = Source::Dir(demo_dir());
        let plans = read_plans(&dir, &fw).unwrap();
        let again = crate::framework::csv_bytes(ACTION_PLANS, &plan_rows(&plans)).unwrap();
        assert_eq!(
            read_plans(
                &src("action-plans", std::str::from_utf8(&again).unwrap()),
                &fw
            )
            .unwrap(),
            plans
        );
        let plan_codes: Vec<Code> = plans.iter().map(|p| p.code.clone()).collect();
        let recs = read_recommendations(&dir, &plan_codes).unwrap();
        let again =
            crate::framework::csv_bytes(RECOMMENDATIONS, &recommendation_rows(&recs)).unwrap();
        assert_eq!(
            read_recommendations(
                &src("recommendations", std::str::from_utf8(&again).unwrap()),
                &plan_codes
            )
            .unwrap(),
            recs
        );
        let pairs: Vec<(Code, Code)> = recs
            .iter()
            .map(|r| (r.plan.clone(), r.code.clone()))
            .collect();
        let k = ActionContext {
            plans: &plan_codes,
            ..context_of(&fw, &pairs)
        };
        let actions = read_actions(&dir, &k).unwrap();
        let again = crate::framework::csv_bytes(ACTIONS, &action_rows(&actions)).unwrap();
        assert_eq!(
            read_actions(&src("actions", std::str::from_utf8(&again).unwrap()), &k).unwrap(),
            actions
        );
        for a in &actions {
            assert_eq!(
                a.due,
                due_from_timescale(&a.timescale),
                "{}: {}",
                a.code,
                a.timescale
            );
        }
        let codes: Vec<Code> = actions.iter().map(|a| a.code.clone()).collect();
        let notes = read_progress(&dir, &codes).unwrap();
        let again = crate::framework::csv_bytes(ACTION_PROGRESS, &progress_rows(&notes)).unwrap();
        assert_eq!(
            read_progress(
                &src("action-progress", std::str::from_utf8(&again).unwrap()),
                &codes
            )
            .unwrap(),
            notes
        );
        assert!(!notes.is_empty());
        assert!(
            notes
                .iter()
                .all(|n| n.note.text.to_lowercase().contains("illustrative")
                    && (2018..=2019).contains(&n.note.on.year())),
            "every demo progress note is illustrative and dated 2018–2019"
        );
    }
}
