//! Errors about one case of `advise` and `backtest`, located in the case files they came
//! from (file, line, case and key).

use std::path::PathBuf;

/// An error the engine found with one case (a subject the doctrine is not about, a missing
/// or wrong `actual`), located in the case files it came from: file, line, case and key.
/// Other errors pass unchanged.
pub fn locate_case_error(e: impl Into<anyhow::Error>, files: &[PathBuf]) -> anyhow::Error {
    use bamboo_core::backtest::BacktestError;
    use bamboo_data::advisor::AdviseError;
    let e: anyhow::Error = e.into();
    let (id, key) = match e
        .downcast_ref::<AdviseError>()
        .map(|a| match a {
            AdviseError::Backtest(b) => Err(b),
            other => Ok(other),
        })
        .or_else(|| e.downcast_ref::<BacktestError>().map(Err))
    {
        Some(Ok(AdviseError::CaseSubject { id, .. })) => (id.clone(), "subject"),
        Some(Err(BacktestError::MissingActual { id })) => (id.clone(), "actual"),
        Some(Err(BacktestError::NotAnOption { id, .. })) => (id.clone(), "actual"),
        _ => return e,
    };
    // The message without the case id, which the location names.
    let message = e.to_string();
    let message = message
        .strip_prefix(&format!("case `{id}`: "))
        .or_else(|| message.strip_prefix(&format!("case `{id}` ")))
        .unwrap_or(&message)
        .to_string();
    match bamboo_data::toml_input::locate_case_in_files(files, &id, key, &message) {
        Some(located) => located.into(),
        None => e,
    }
}
