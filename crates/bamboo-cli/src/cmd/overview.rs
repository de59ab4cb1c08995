//! `bamboo` with no subcommand: the built-in default job, Vietnam's balance between the
//! United States, China and Russia, with pointers to the other commands.

use anyhow::Result;

use crate::cmd::balance;
use crate::Cli;

pub fn run(cli: &Cli) -> Result<()> {
    let args = balance::Args::one("VNM");
    balance::run(cli, &args)?;
    crate::output::write_to(None, |w| {
        writeln!(
            w,
            "\nMore: bamboo align VNM USA CHN RUS --by window 5 | bamboo advise --doctrine data/doctrines/vietnam.toml CASEFILE | bamboo simulate | bamboo serve | bamboo --help"
        )?;
        Ok(())
    })
}
