//! Where a command's data goes: stdout, or the file `--output` names,
//! written beside it and moved into place only when the command succeeds.

use crate::cli::Format;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The commands a workbook is made for.
const WORKBOOK_COMMANDS: [&str; 3] = ["item list", "outstanding", "report"];

pub enum Sink {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    File {
        file: BufWriter<File>,
        temp: PathBuf,
        path: PathBuf,
    },
}

impl Sink {
    /// Opens where `command`'s data in `format` goes, refusing a workbook
    /// for a command that has none, or for a terminal.
    pub fn open(output: Option<&Path>, format: Format, command: &str) -> Result<Sink> {
        if format == Format::Html && !["report", "outstanding"].contains(&command) {
            return Err(Error::invalid(format!(
                "--format html is for report and outstanding, not {command}\n\
                 Use --format markdown for a document of {command}."
            )));
        }
        if format == Format::Xlsx && !WORKBOOK_COMMANDS.contains(&command) {
            return Err(Error::invalid(format!(
                "--format xlsx is for item list, outstanding and report, not {command}\n\
                 Use --format csv (or json) for {command}."
            )));
        }
        let Some(path) = output else {
            if format == Format::Xlsx && std::io::stdout().is_terminal() {
                return Err(Error::invalid(
                    "a workbook is binary, and is not written to a terminal\n\
                     Give --output FILE.xlsx, or redirect stdout to a file.",
                ));
            }
            let out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            return Ok(Sink::Stdout(out));
        };
        let name = path
            .file_name()
            .ok_or_else(|| Error::invalid(format!("--output {} names no file", path.display())))?;
        let temp = path.with_file_name(format!(
            ".{}.part{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&temp).map_err(|e| {
            Error::invalid(format!("cannot write --output {}: {e}", path.display()))
        })?;
        Ok(Sink::File {
            file: BufWriter::new(file),
            temp,
            path: path.to_path_buf(),
        })
    }

    /// Puts a file written whole in its place. (Stdout was flushed by the
    /// printer, which said what a failure there means.)
    pub fn finish(self) -> Result<()> {
        match self {
            Sink::Stdout(_) => Ok(()),
            Sink::File {
                mut file,
                temp,
                path,
            } => {
                file.flush()?;
                drop(file);
                std::fs::rename(&temp, &path).map_err(|e| {
                    let _ = std::fs::remove_file(&temp);
                    Error::invalid(format!("cannot write --output {}: {e}", path.display()))
                })
            }
        }
    }

    /// Leaves nothing behind of a file the command did not finish.
    pub fn abandon(self) {
        if let Sink::File { file, temp, .. } = self {
            drop(file);
            let _ = std::fs::remove_file(temp);
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(buf),
            Sink::File { file, .. } => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Stdout(out) => out.write_all(buf),
            Sink::File { file, .. } => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::File { file, .. } => file.flush(),
        }
    }
}
