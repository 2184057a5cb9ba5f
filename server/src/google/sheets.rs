//! The Sheets API v4 calls server mode makes, each retried with back-off on 429 and 5xx and
//! signed in again once on 401.
//!
//! Values are read as `UNFORMATTED_VALUE` with `SERIAL_NUMBER` dates (numbers, booleans and
//! text keep their types; a date is its serial number and the column's format says it is a
//! date) and written `RAW`: a JSON number or boolean is stored typed, and a string is stored
//! as text exactly, so leading zeros and a leading `'` stay text. `USER_ENTERED` would parse
//! strings as a person's typing (`007` → 7, `1/2` → a date) and is never used.

use serde_json::{json, Value as J};
use url::Url;

use std::sync::Arc;

use super::auth::TokenSource;
use super::backoff::Backoff;
use super::budget::{Budgets, CallKind};
use super::call::ApiCaller;
use super::GoogleError;

/// `https://sheets.googleapis.com`, where the API lives.
pub const GOOGLE_SHEETS_API: &str = "https://sheets.googleapis.com";

/// A client for one service account.
#[derive(Debug)]
pub struct SheetsClient {
    base: Url,
    caller: Arc<ApiCaller>,
}

/// How `values.batchGet` renders cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Render {
    /// Calculated values with their types (`UNFORMATTED_VALUE`).
    Values,
    /// Formulas where there are, values elsewhere (`FORMULA`), to find formula cells.
    Formulas,
}

impl Render {
    fn option(self) -> &'static str {
        match self {
            Render::Values => "UNFORMATTED_VALUE",
            Render::Formulas => "FORMULA",
        }
    }
}

/// One range's values for `values.batchUpdate`.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeValues {
    /// A1 range with the sheet's name (`'People'!A2:C2`).
    pub range: String,
    /// Rows of cells: numbers, booleans, strings (`""` clears a cell).
    pub values: Vec<Vec<J>>,
}

/// What a round needs to know of a spreadsheet and its bound sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetProperties {
    /// The spreadsheet's IANA time zone.
    pub time_zone: String,
    /// The sheet's id, which structural requests address.
    pub sheet_id: i64,
    /// How many rows its grid has.
    pub row_count: i64,
}

impl SheetsClient {
    /// A client for the API at `base` (Google's, or a stand-in's).
    /// `budgets` is shared by every client of one Google Cloud project.
    pub fn new(
        base: Url,
        tokens: TokenSource,
        backoff: Backoff,
        budgets: Arc<Budgets>,
    ) -> SheetsClient {
        SheetsClient {
            base,
            caller: Arc::new(ApiCaller::new(tokens, backoff, budgets)),
        }
    }

    /// The service account's email.
    pub fn account(&self) -> &str {
        self.caller.account()
    }

    /// The signed, budgeted caller, for the Drive client of the same account to share.
    pub fn caller(&self) -> Arc<ApiCaller> {
        self.caller.clone()
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// The spreadsheet's time zone (`spreadsheets.get`, `properties.timeZone`).
    pub async fn time_zone(&self, spreadsheet: &str) -> Result<String, GoogleError> {
        const METHOD: &str = "spreadsheets.get";
        let mut url = self.url(&["v4", "spreadsheets", spreadsheet]);
        url.query_pairs_mut()
            .append_pair("fields", "properties.timeZone");
        let answer = self.call(METHOD, spreadsheet, "GET", url, None).await?;
        answer["properties"]["timeZone"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| GoogleError::BadAnswer {
                method: METHOD,
                reason: format!("spreadsheet {spreadsheet} has no properties.timeZone"),
            })
    }

    /// The spreadsheet's time zone and the id and grid size of its sheet `title`
    /// (`spreadsheets.get`, properties only).
    pub async fn sheet_properties(
        &self,
        spreadsheet: &str,
        title: &str,
    ) -> Result<SheetProperties, GoogleError> {
        const METHOD: &str = "spreadsheets.get";
        let mut url = self.url(&["v4", "spreadsheets", spreadsheet]);
        url.query_pairs_mut().append_pair(
            "fields",
            "properties.timeZone,sheets.properties(sheetId,title,gridProperties)",
        );
        let answer = self.call(METHOD, spreadsheet, "GET", url, None).await?;
        let bad = |reason: String| GoogleError::BadAnswer {
            method: METHOD,
            reason,
        };
        let time_zone = answer["properties"]["timeZone"]
            .as_str()
            .ok_or_else(|| {
                bad(format!(
                    "spreadsheet {spreadsheet} has no properties.timeZone"
                ))
            })?
            .to_string();
        let sheets = answer["sheets"].as_array().cloned().unwrap_or_default();
        let sheet = sheets
            .iter()
            .map(|s| &s["properties"])
            .find(|p| p["title"].as_str() == Some(title))
            .ok_or_else(|| GoogleError::Api {
                method: METHOD,
                what: spreadsheet.to_string(),
                status: 404,
                message: format!("the spreadsheet has no sheet named {title:?}"),
            })?;
        let number = |v: &J, what: &str| {
            v.as_i64()
                .ok_or_else(|| bad(format!("sheet {title:?} has no {what}")))
        };
        Ok(SheetProperties {
            time_zone,
            sheet_id: number(&sheet["sheetId"], "sheetId")?,
            row_count: number(&sheet["gridProperties"]["rowCount"], "rowCount")?,
        })
    }

    /// The values of `ranges` (`values.batchGet`, dates as serial numbers), one grid per
    /// range; trailing empty rows and cells are left out, as the API does.
    pub async fn batch_get(
        &self,
        spreadsheet: &str,
        ranges: &[String],
        render: Render,
    ) -> Result<Vec<Vec<Vec<J>>>, GoogleError> {
        const METHOD: &str = "spreadsheets.values.batchGet";
        let mut url = self.url(&["v4", "spreadsheets", spreadsheet, "values:batchGet"]);
        {
            let mut q = url.query_pairs_mut();
            for r in ranges {
                q.append_pair("ranges", r);
            }
            q.append_pair("valueRenderOption", render.option())
                .append_pair("dateTimeRenderOption", "SERIAL_NUMBER")
                .append_pair("majorDimension", "ROWS");
        }
        let answer = self.call(METHOD, spreadsheet, "GET", url, None).await?;
        let bad = |reason: String| GoogleError::BadAnswer {
            method: METHOD,
            reason,
        };
        let ranges_back = answer["valueRanges"]
            .as_array()
            .ok_or_else(|| bad("no valueRanges".into()))?;
        if ranges_back.len() != ranges.len() {
            return Err(bad(format!(
                "{} ranges were asked for and {} came back",
                ranges.len(),
                ranges_back.len()
            )));
        }
        ranges_back
            .iter()
            .map(|vr| match &vr["values"] {
                J::Null => Ok(Vec::new()),
                J::Array(rows) => rows
                    .iter()
                    .map(|row| {
                        row.as_array()
                            .cloned()
                            .ok_or_else(|| bad("a row of values is not an array".into()))
                    })
                    .collect(),
                _ => Err(bad("values is not an array of rows".into())),
            })
            .collect()
    }

    /// Writes `data` (`values.batchUpdate`, `RAW`: see the module guide).
    pub async fn batch_update_values(
        &self,
        spreadsheet: &str,
        data: &[RangeValues],
    ) -> Result<(), GoogleError> {
        const METHOD: &str = "spreadsheets.values.batchUpdate";
        let url = self.url(&["v4", "spreadsheets", spreadsheet, "values:batchUpdate"]);
        let body = json!({
            "valueInputOption": "RAW",
            "data": data.iter().map(|d| json!({
                "range": d.range, "majorDimension": "ROWS", "values": d.values,
            })).collect::<Vec<_>>(),
        });
        self.call(METHOD, spreadsheet, "POST", url, Some(body))
            .await
            .map(|_| ())
    }

    /// Sends structural requests (`spreadsheets.batchUpdate`: insert, delete and append rows,
    /// number formats) and returns the answer's `replies`.
    pub async fn batch_update(
        &self,
        spreadsheet: &str,
        requests: Vec<J>,
    ) -> Result<Vec<J>, GoogleError> {
        const METHOD: &str = "spreadsheets.batchUpdate";
        let url = self.url(&["v4", "spreadsheets", &format!("{spreadsheet}:batchUpdate")]);
        let answer = self
            .call(
                METHOD,
                spreadsheet,
                "POST",
                url,
                Some(json!({ "requests": requests })),
            )
            .await?;
        Ok(answer["replies"].as_array().cloned().unwrap_or_default())
    }

    /// One Sheets API call: reads (`GET`) and writes count against their own budgets.
    async fn call(
        &self,
        method: &'static str,
        what: &str,
        http_method: &str,
        url: Url,
        body: Option<J>,
    ) -> Result<J, GoogleError> {
        let kind = if http_method == "GET" {
            CallKind::Read
        } else {
            CallKind::Write
        };
        self.caller
            .call(method, what, kind, http_method, url, body)
            .await
    }
}
