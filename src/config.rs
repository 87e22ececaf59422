//! The configuration file (`--config FILE` or `GOLDTHREAD_CONFIG`): TOML with
//! the same settings as the `GOLDTHREAD_*` environment variables. A flag wins
//! over the environment, the environment over the file, the file over the
//! built-in default. Unknown keys are refused, so a misspelt setting is never
//! silently ignored.
use clap::parser::ValueSource;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;

/// What a configuration file may set, each key named as its environment
/// variable without the `GOLDTHREAD_` prefix, in lower case.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `GOLDTHREAD_DATABASE_URL`.
    pub database_url: Option<String>,
    /// `GOLDTHREAD_ADDR`: where `serve` listens.
    pub addr: Option<SocketAddr>,
    /// `GOLDTHREAD_SECURE_COOKIES`.
    pub secure_cookies: Option<bool>,
    /// `GOLDTHREAD_LOG`: the log filter.
    pub log: Option<String>,
    /// `GOLDTHREAD_CHROMIUM`: the Chromium that prints PDF reports.
    pub chromium: Option<String>,
    /// `GOLDTHREAD_MAX_IMPORT_MB`: the largest file an import reads.
    pub max_import_mb: Option<u64>,
}

impl FileConfig {
    /// Reads and checks `path`.
    pub fn read(path: &Path) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the configuration file {}: {e}", path.display()))?;
        let c: FileConfig = toml::from_str(&text).map_err(|e| {
            format!(
                "the configuration file {} is not valid: {e}",
                path.display()
            )
        })?;
        if c.max_import_mb == Some(0) {
            return Err(format!(
                "the configuration file {}: max_import_mb must be at least 1",
                path.display()
            ));
        }
        Ok(c)
    }

    /// `value` unless it came from the built-in default and the file sets it.
    pub fn pick<T: Clone>(source: Option<ValueSource>, value: &mut T, from_file: Option<&T>) {
        if source == Some(ValueSource::DefaultValue)
            && let Some(v) = from_file
        {
            *value = v.clone();
        }
    }

    /// An environment variable's value, else the file's.
    pub fn env_or(var: &str, from_file: Option<&String>) -> Option<String> {
        std::env::var(var).ok().or_else(|| from_file.cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FileConfig, String> {
        let dir = std::env::temp_dir().join(format!("goldthread-config-{}", uuid_like()));
        std::fs::write(&dir, text).unwrap();
        let r = FileConfig::read(&dir);
        std::fs::remove_file(&dir).ok();
        r
    }

    fn uuid_like() -> String {
        format!(
            "{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        )
    }

    #[test]
    fn every_setting_reads_and_unknown_ones_are_refused() {
        let c = parse(
            "database_url = \"postgres://goldthread@db/goldthread\"\naddr = \"0.0.0.0:8080\"\nsecure_cookies = true\nlog = \"goldthread=debug\"\nchromium = \"/usr/bin/chromium\"\nmax_import_mb = 256\n",
        )
        .unwrap();
        assert_eq!(c.addr, Some("0.0.0.0:8080".parse().unwrap()));
        assert_eq!(c.max_import_mb, Some(256));
        assert_eq!(c.secure_cookies, Some(true));
        let e = parse("databse_url = \"x\"\n").unwrap_err();
        assert!(e.contains("unknown field `databse_url`"), "{e}");
        let e = parse("addr = \"nowhere\"\n").unwrap_err();
        assert!(e.contains("addr"), "{e}");
        assert!(
            parse("max_import_mb = 0\n")
                .unwrap_err()
                .contains("at least 1")
        );
        assert_eq!(parse("").unwrap(), FileConfig::default());
    }

    #[test]
    fn the_file_fills_only_what_flags_and_environment_left_at_the_default() {
        let mut v = "default".to_string();
        let file = "file".to_string();
        FileConfig::pick(Some(ValueSource::CommandLine), &mut v, Some(&file));
        assert_eq!(v, "default");
        FileConfig::pick(Some(ValueSource::EnvVariable), &mut v, Some(&file));
        assert_eq!(v, "default");
        FileConfig::pick(Some(ValueSource::DefaultValue), &mut v, None);
        assert_eq!(v, "default");
        FileConfig::pick(Some(ValueSource::DefaultValue), &mut v, Some(&file));
        assert_eq!(v, "file");
    }
}
