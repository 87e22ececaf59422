//! View models shared by the page templates.
use askama::Template;

/// What every page shows around its content.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub title: String,
    pub tenant_name: String,
    pub user_name: String,
    pub role: String,
    pub csrf: String,
    /// The main navigation item this page belongs to.
    pub section: String,
    pub can_audit: bool,
    pub signed_in: bool,
    pub flash: Option<String>,
    /// Other councils this person can switch to: (code, name).
    pub tenants: Vec<(String, String)>,
    /// A national operator (sees the councils page).
    pub is_operator: bool,
    /// Signed in with no role in any council: only the operator's pages.
    pub operator_only: bool,
}

/// A group of the main navigation: its name and its items (href, text,
/// section, current).
pub type NavGroup = (
    &'static str,
    Vec<(&'static str, &'static str, &'static str, bool)>,
);

impl Chrome {
    /// The main navigation in groups, so a reader (and a screen reader) finds
    /// an item among two dozen by what it is for.
    pub fn nav(&self) -> Vec<NavGroup> {
        if self.operator_only {
            return vec![(
                "National",
                vec![(
                    "/operator",
                    "Councils",
                    "operator",
                    self.section == "operator",
                )],
            )];
        }
        type Items = Vec<(&'static str, &'static str, &'static str)>;
        let mut groups: Vec<(&'static str, Items)> = vec![
            (
                "Golden thread",
                vec![
                    ("/", "Home", "home"),
                    ("/thread", "Golden thread", "thread"),
                    ("/outcomes", "Outcomes", "outcomes"),
                    ("/portfolios", "Portfolios", "portfolios"),
                    ("/services", "Services", "services"),
                    ("/plans", "Plans", "plans"),
                    ("/matrix", "Matrix", "matrix"),
                    ("/one-fund", "One Fund", "one-fund"),
                    ("/gaps", "Gaps", "gaps"),
                ],
            ),
            (
                "Performance",
                vec![
                    ("/dashboard", "Dashboard", "dashboard"),
                    ("/indicators", "Indicators", "indicators"),
                    ("/exceptions", "Exceptions", "exceptions"),
                    ("/report", "One Report", "report"),
                    ("/engagement", "Engagement", "engagement"),
                ],
            ),
            (
                "Change",
                vec![
                    ("/reviews", "Reviews", "reviews"),
                    ("/programmes", "Programme", "programmes"),
                    ("/actions", "Actions", "actions"),
                    ("/risks", "Risks", "risks"),
                    ("/benefits", "Benefits", "benefits"),
                    ("/self-assessment", "Best Value", "self-assessment"),
                    ("/org", "Organisation", "org"),
                ],
            ),
            (
                "Admin",
                vec![
                    ("/people", "People", "people"),
                    ("/import", "Import & export", "import"),
                ],
            ),
        ];
        if let Some((_, admin)) = groups.last_mut() {
            if self.can_audit {
                admin.push(("/audit", "Audit trail", "audit"));
            }
            if self.is_operator {
                admin.push(("/operator", "Councils", "operator"));
            }
        }
        groups
            .into_iter()
            .map(|(g, items)| {
                (
                    g,
                    items
                        .into_iter()
                        .map(|(h, t, s)| (h, t, s, s == self.section))
                        .collect(),
                )
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub text: String,
}

impl Link {
    pub fn new(href: impl Into<String>, text: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            text: text.into(),
        }
    }
}

/// A table cell: text, an optional link, and a CSS class (`num` for numbers,
/// `tag tag-…` for status tags).
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub class: String,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            ..Default::default()
        }
    }
    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: Some(href.into()),
            ..Default::default()
        }
    }
    pub fn num(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            class: "num".into(),
            ..Default::default()
        }
    }
    pub fn tag(t: impl Into<String>, kind: &str) -> Cell {
        Cell {
            text: t.into(),
            class: format!("tag tag-{kind}"),
            ..Default::default()
        }
    }
    pub fn is_num(&self) -> bool {
        self.class == "num"
    }
    pub fn is_tag(&self) -> bool {
        self.class.starts_with("tag")
    }
}

#[derive(Debug, Clone, Default)]
pub struct TableView {
    pub caption: String,
    pub headers: Vec<String>,
    /// Which columns hold numbers (right-aligned).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Cell>>,
    /// Shown instead of the table when there are no rows.
    pub empty: String,
}

impl TableView {
    pub fn new(caption: impl Into<String>, headers: &[&str]) -> TableView {
        TableView {
            caption: caption.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            numeric: vec![false; headers.len()],
            empty: "None.".into(),
            ..Default::default()
        }
    }
    pub fn numeric(mut self, cols: &[usize]) -> TableView {
        for c in cols {
            self.numeric[*c] = true;
        }
        self
    }
    pub fn empty(mut self, text: &str) -> TableView {
        self.empty = text.into();
        self
    }
    pub fn header_is_num(&self, i: &usize) -> bool {
        self.numeric.get(*i).copied().unwrap_or(false)
    }
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One form field with its error, shown beside it.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: String,
    /// text, email, password, textarea, select, checkboxes, date, number.
    pub kind: String,
    pub value: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
    pub required: bool,
}

impl Field {
    pub fn new(kind: &str, name: &str, label: &str, value: impl Into<String>) -> Field {
        Field {
            kind: kind.into(),
            name: name.into(),
            label: label.into(),
            value: value.into(),
            ..Default::default()
        }
    }
    pub fn hint(mut self, h: &str) -> Field {
        self.hint = h.into();
        self
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub fn choices(mut self, c: Vec<Choice>) -> Field {
        self.choices = c;
        self
    }
    pub fn id(&self) -> String {
        format!("f-{}", self.name)
    }
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id()));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id()));
        }
        ids.join(" ")
    }
    pub fn error_text(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Clone, Default)]
pub struct FormView {
    pub heading: String,
    pub caption: String,
    pub action: String,
    pub fields: Vec<Field>,
    pub submit: String,
    pub cancel: String,
    pub version: Option<i64>,
    /// Errors not tied to one field (conflicts, permissions).
    pub general: Vec<String>,
}

impl FormView {
    pub fn has_errors(&self) -> bool {
        !self.general.is_empty() || self.fields.iter().any(|f| f.error.is_some())
    }
    /// Attaches field errors (by field name) and returns the rest as general errors.
    pub fn with_errors(mut self, errors: Vec<(String, String)>) -> FormView {
        for (field, message) in errors {
            match self.fields.iter_mut().find(|f| f.name == field) {
                Some(f) if f.error.is_none() => f.error = Some(message),
                Some(f) => {
                    f.error = Some(format!(
                        "{}; {message}",
                        f.error.clone().unwrap_or_default()
                    ))
                }
                None => self.general.push(if field.is_empty() || field == "input" {
                    message
                } else {
                    format!("{field}: {message}")
                }),
            }
        }
        self
    }
    pub fn error_fields(&self) -> Vec<&Field> {
        self.fields.iter().filter(|f| f.error.is_some()).collect()
    }
}

/// A labelled value on a record page.
#[derive(Debug, Clone)]
pub struct Fact {
    pub label: String,
    pub cells: Vec<Cell>,
}

impl Fact {
    pub fn new(label: &str, cells: Vec<Cell>) -> Fact {
        Fact {
            label: label.into(),
            cells,
        }
    }
    pub fn text(label: &str, text: impl Into<String>) -> Fact {
        Fact {
            label: label.into(),
            cells: vec![Cell::text(text)],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub intro: String,
    pub tables: Vec<TableView>,
    pub links: Vec<Link>,
}

#[derive(Template)]
#[template(path = "table.html")]
pub struct TablePage {
    pub chrome: Chrome,
    pub heading: String,
    pub intro: String,
    pub actions: Vec<Link>,
    pub tables: Vec<TableView>,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub form: FormView,
}

#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub chrome: Chrome,
    pub caption: String,
    pub heading: String,
    pub facts: Vec<Fact>,
    pub actions: Vec<Link>,
    /// Where the delete button posts, with the record's version.
    pub delete: Option<(String, i64)>,
    pub sections: Vec<Section>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub next: String,
    pub email: String,
    pub error: Option<String>,
}

/// The matrix: rows are services, columns outcomes; each cell text plus a colour class.
#[derive(Template)]
#[template(path = "matrix.html")]
pub struct MatrixPage {
    pub chrome: Chrome,
    pub outcomes: Vec<(String, String)>,
    pub rows: Vec<MatrixRow>,
    pub can_edit: bool,
}

pub struct MatrixRow {
    pub code: String,
    pub title: String,
    pub portfolio: String,
    pub cells: Vec<MatrixCell>,
}

pub struct MatrixCell {
    pub text: String,
    pub class: String,
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub counts: Vec<(String, usize, String)>,
    pub gaps: usize,
    pub outcomes: Vec<Link>,
}

#[derive(Template)]
#[template(path = "thread.html")]
pub struct ThreadPage {
    pub chrome: Chrome,
    pub strands: Vec<Strand>,
}

/// One local outcome with everything above and below it.
pub struct Strand {
    pub outcome: Link,
    pub national: Vec<Link>,
    pub priorities: Vec<Link>,
    pub portfolios: Vec<(Link, String)>,
    pub services: Vec<(Link, String)>,
    pub plans: Vec<Link>,
    pub accountable: String,
}

#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub can_import: bool,
    pub report: Option<String>,
    pub errors: Vec<String>,
    /// The framework's tables (imported together).
    pub tables: Vec<String>,
    /// The data tables (imported one file at a time).
    pub data_tables: Vec<String>,
}
