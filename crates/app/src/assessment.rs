//! Best Value self-assessment (DOMAIN §5): the council's themes (its own, or the
//! default Best Value themes), each year's score per theme with its evidence
//! and improvement actions, and the comparison year on year. Administrators
//! and performance officers keep it; everyone in the council reads it.
use crate::engagement::put_record;
use crate::framework::{Change, ImportReport, record};
use crate::performance::{PerRecord, apply_each};
use crate::{App, AppError, Caller, FieldError, Result};
use goldthread_domain::Code;
use goldthread_domain::assessment::{Comparison, Theme, ThemeScore, compare, default_themes};
use goldthread_domain::period::Period;
use goldthread_domain::permission::Write;
use goldthread_io::Source;
use goldthread_io::assessment as aio;
use goldthread_store::assessment::{self as st, AssessmentSnapshot};
use goldthread_store::framework::{self as fs, Rec};
use goldthread_store::{AnyConnection, TenantId};
use serde_json::json;
use std::collections::BTreeSet;

put_record!(
    ThemeScore,
    "self-assessment",
    |s| format!("{} {}", s.year, s.theme),
    st::put_score
);

/// The self-assessment's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentTable {
    Themes,
    Scores,
}

impl AssessmentTable {
    pub const ALL: &'static [AssessmentTable] = &[AssessmentTable::Themes, AssessmentTable::Scores];
    pub fn name(self) -> &'static str {
        match self {
            AssessmentTable::Themes => "assessment-themes",
            AssessmentTable::Scores => "self-assessments",
        }
    }
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            AssessmentTable::Themes => aio::THEMES,
            AssessmentTable::Scores => aio::SCORES,
        }
    }
}

/// The themes in force: those configured, or the defaults.
pub fn themes_of(s: &AssessmentSnapshot) -> Vec<Theme> {
    if s.themes.is_empty() {
        default_themes()
    } else {
        s.themes.clone()
    }
}

/// The action codes a score may name: the action register's.
async fn known_actions(
    conn: &mut AnyConnection,
    tenant: &TenantId,
) -> Result<Option<BTreeSet<String>>> {
    Ok(Some(
        goldthread_store::actions::load(conn, tenant)
            .await?
            .actions
            .into_iter()
            .map(|a| a.value.code.to_string())
            .collect(),
    ))
}

impl App {
    /// The council's self-assessment as held.
    pub async fn self_assessment(&self, c: &Caller) -> Result<AssessmentSnapshot> {
        let mut conn = self.db.read().await?;
        Ok(st::load(&mut conn, &c.tenant_id()).await?)
    }

    /// Every theme across every year assessed.
    pub async fn self_assessment_comparison(&self, c: &Caller) -> Result<Comparison> {
        let s = self.self_assessment(c).await?;
        let scores: Vec<ThemeScore> = s.scores.iter().map(|r| r.value.clone()).collect();
        Ok(compare(&themes_of(&s), &scores))
    }

    /// Replaces one year's scores with `scores` (one per theme at most; a
    /// theme left out loses its score for that year). Every change audited.
    pub async fn save_self_assessment(
        &self,
        c: &Caller,
        year: Period,
        scores: &[ThemeScore],
    ) -> Result<Vec<Rec<ThemeScore>>> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let held = st::load(tx.conn(), &tid).await?;
        let themes = themes_of(&held);
        let outcomes: BTreeSet<Code> = fw.outcomes.iter().map(|o| o.code.clone()).collect();
        let actions = known_actions(tx.conn(), &tid).await?;
        let mut errors = Vec::new();
        for s in scores {
            let f = |x: &str| format!("{x}_{}", s.theme);
            if s.year != year {
                errors.push(FieldError::new("year", format!("{} is not {year}", s.year)));
            }
            if !themes.iter().any(|t| t.code == s.theme) {
                errors.push(FieldError::new(
                    f("score"),
                    format!("unknown theme '{}'", s.theme),
                ));
            }
            if !(1..=5).contains(&s.score) {
                errors.push(FieldError::new(f("score"), "is 1 to 5"));
            }
            for o in s.outcomes.iter().filter(|o| !outcomes.contains(*o)) {
                errors.push(FieldError::new(
                    f("outcomes"),
                    format!("unknown outcome code '{o}'"),
                ));
            }
            if let Some(k) = &actions {
                for a in s.actions.iter().filter(|a| !k.contains(*a)) {
                    errors.push(FieldError::new(
                        f("actions"),
                        format!("unknown action '{a}'"),
                    ));
                }
            }
            if scores.iter().filter(|x| x.theme == s.theme).count() > 1 {
                errors.push(FieldError::new(f("score"), "is given twice"));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let mut out = Vec::new();
        for s in scores {
            let before = held
                .scores
                .iter()
                .find(|r| r.value.year == year && r.value.theme == s.theme);
            let rec = match before {
                Some(b) if b.value == *s => {
                    out.push(b.clone());
                    continue;
                }
                Some(b) => st::put_score(tx.conn(), &tid, Some((&b.id, b.version)), s).await?,
                None => st::put_score(tx.conn(), &tid, None, s).await?,
            };
            record(
                &mut tx,
                c,
                if before.is_some() { "update" } else { "create" },
                ThemeScore::ENTITY,
                Some(&rec.id),
                &ThemeScore::key(s),
                before.map(|b| json!(b)),
                Some(json!(rec)),
                None,
            )
            .await?;
            out.push(rec);
        }
        for gone in held
            .scores
            .iter()
            .filter(|r| r.value.year == year && !scores.iter().any(|s| s.theme == r.value.theme))
        {
            st::delete_score(tx.conn(), &tid, &gone.id, gone.version).await?;
            record(
                &mut tx,
                c,
                "delete",
                ThemeScore::ENTITY,
                Some(&gone.id),
                &ThemeScore::key(&gone.value),
                Some(json!(gone)),
                None,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Imports `assessment-themes.csv` (replacing the themes; a theme with
    /// scores cannot be removed) or `self-assessments.csv` (each year and
    /// theme created or replaced). Administrators and performance officers;
    /// all or nothing; audited.
    pub async fn import_self_assessment(
        &self,
        c: &Caller,
        t: AssessmentTable,
        source: &Source,
        dry_run: bool,
        label: &str,
    ) -> Result<ImportReport> {
        let tid = c.tenant_id();
        let mut tx = self.db.write(Some(&tid)).await?;
        let fw = fs::load(tx.conn(), &tid).await?.framework();
        c.require(Write::ImportFramework, &fw)?;
        let held = st::load(tx.conn(), &tid).await?;
        let table = t.name();
        let context = json!({"import": label, "file": table});
        let mut report = ImportReport {
            dry_run,
            ..Default::default()
        };
        match t {
            AssessmentTable::Themes => {
                let themes = aio::read_themes(source).map_err(AppError::Import)?;
                report.rows = themes.len();
                let used: Vec<String> = held
                    .scores
                    .iter()
                    .filter(|s| !themes.iter().any(|t| t.code == s.value.theme))
                    .map(|s| s.value.theme.to_string())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if !used.is_empty() {
                    return Err(AppError::InUse(format!(
                        "the themes {} have scores; keep them in assessment-themes.csv",
                        used.join(", ")
                    )));
                }
                let before = themes_of(&held);
                for t in &themes {
                    report.count(
                        table,
                        match before.iter().find(|b| b.code == t.code) {
                            Some(b) if b == t => Change::Unchanged,
                            Some(_) => Change::Updated,
                            None => Change::Created,
                        },
                    );
                }
                if themes != held.themes {
                    st::set_themes(tx.conn(), &tid, &themes).await?;
                    record(
                        &mut tx,
                        c,
                        "update",
                        "settings",
                        None,
                        "self-assessment themes",
                        Some(json!(before)),
                        Some(json!(themes)),
                        Some(context.clone()),
                    )
                    .await?;
                }
            }
            AssessmentTable::Scores => {
                let outcomes: BTreeSet<Code> = fw.outcomes.iter().map(|o| o.code.clone()).collect();
                let actions = known_actions(tx.conn(), &tid).await?;
                let rows = aio::read_scores(source, &themes_of(&held), &outcomes, actions.as_ref())
                    .map_err(AppError::Import)?;
                report.rows = rows.len();
                apply_each(&mut tx, c, &mut report, table, &context, rows, &held.scores).await?;
            }
        }
        report.finish(tx).await
    }

    /// One of the self-assessment's files, as its import reads it.
    pub async fn export_self_assessment(
        &self,
        c: &Caller,
        t: AssessmentTable,
    ) -> Result<Vec<Vec<String>>> {
        let s = self.self_assessment(c).await?;
        Ok(match t {
            AssessmentTable::Themes => aio::theme_rows(&themes_of(&s)),
            AssessmentTable::Scores => {
                aio::score_rows(&s.scores.iter().map(|r| r.value.clone()).collect::<Vec<_>>())
            }
        })
    }
}
