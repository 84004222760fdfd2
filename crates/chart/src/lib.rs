//! The weekly digest as a picture: one group's last [`WEEKS`] ISO weeks, drawn as a PNG
//! from the same [`Digest`] figures the text is worded from, so the same floors hold: a week
//! whose citizens were too few carries no citizen count at all, and so gets no bar.
//!
//! Three panels: reflections and check-ins per week, the principles the staff chose each
//! week (a strip), and what happened to trial actions each week. The text alternative
//! ([`Chart::alt`]) says the same in words, for a caption or a screen reader.
//!
//! Drawn with plotters on its bitmap backend, text in DejaVu Sans bundled in the binary (so
//! æ, ø and å render on any machine), encoded with the `png` crate.

use std::sync::OnceLock;

use eftertanke_core::digest::{Citizens, Digest};
use eftertanke_core::i18n::{Args, I18nError, Lang, Locales};
use eftertanke_core::records::TrialState;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

/// How many weeks one picture covers, the digest's own week last.
pub const WEEKS: usize = 8;
/// The picture's size in pixels: wide enough for the principles' names, legible on a phone.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 960;

/// The top of a bar panel, as a multiple of its highest bar: room above the bars for the
/// legend (two lines there, six in the trial actions' panel).
const ACTIVITY_HEADROOM: f64 = 1.6;
const TRIALS_HEADROOM: f64 = 2.4;

/// The family name the bundled font is registered under.
const FONT: &str = "sans-serif";
static FONT_DATA: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

const REFLECTIONS: RGBColor = RGBColor(47, 94, 153);
const CHECK_INS: RGBColor = RGBColor(224, 130, 40);
const GRID: RGBColor = RGBColor(220, 220, 220);
const INK: RGBColor = RGBColor(40, 40, 40);
/// The principle strip shades from white to this for the week's most chosen principle.
const STRIP: RGBColor = RGBColor(22, 120, 110);
/// Trial actions: new, then the states of the cycle in the digest's order.
const TRIAL_COLOURS: [RGBColor; 6] = [
    RGBColor(120, 120, 120),
    RGBColor(86, 150, 215),
    RGBColor(70, 160, 90),
    RGBColor(230, 180, 50),
    RGBColor(200, 80, 70),
    RGBColor(140, 100, 170),
];

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the bundled font does not load")]
    Font,
    #[error("no weeks to draw")]
    NoWeeks,
    #[error("drawing the picture: {0}")]
    Draw(String),
    #[error("encoding the picture as PNG: {0}")]
    Encode(#[from] png::EncodingError),
    #[error(transparent)]
    Words(#[from] I18nError),
}

/// A drawn digest: the PNG and the same figures in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub png: Vec<u8>,
    /// The text alternative: short enough for a photo's caption (Telegram takes 1,024).
    pub alt: String,
}

/// Draws `weeks` (oldest first, at most [`WEEKS`] are drawn: the last ones) in `lang`.
pub fn draw(weeks: &[Digest], locales: &Locales, lang: Lang) -> Result<Chart, ChartError> {
    let weeks = &weeks[weeks.len().saturating_sub(WEEKS)..];
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Err(ChartError::NoWeeks);
    };
    register_bundled_font()?;
    let words = Words { locales, lang };
    let title = words.get(
        "digest-chart-title",
        &[
            ("group", last.group_name.as_str().into()),
            ("weeks", weeks.len().into()),
            ("first", i64::from(first.week.week()).into()),
            ("last", i64::from(last.week.week()).into()),
        ],
    )?;
    let labels = Labels::new(&words, weeks)?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let (head, body) = root.split_vertically(56);
        head.draw(&Text::new(
            title,
            (24, 14),
            (FONT, 28).into_font().color(&INK),
        ))
        .map_err(drawing)?;
        let panels = body.split_evenly((3, 1));
        if let [activity, principles, trials] = panels.as_slice() {
            draw_activity(activity, weeks, &labels)?;
            draw_principles(principles, weeks, &labels)?;
            draw_trials(trials, weeks, &labels)?;
        }
        root.present().map_err(drawing)?;
    }
    Ok(Chart {
        png: encode(&rgb)?,
        alt: alt_text(&words, weeks)?,
    })
}

/// Registers the bundled font once per process.
fn register_bundled_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_DATA).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// `style` anchored at its horizontal centre and at `v`: for figures on bars and in cells.
fn centred(style: TextStyle<'_>, v: VPos) -> TextStyle<'_> {
    style.pos(Pos::new(HPos::Center, v))
}

fn drawing(err: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(err.to_string())
}

/// The RGB buffer as an 8-bit RGB PNG.
fn encode(rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(png)
}

struct Words<'a> {
    locales: &'a Locales,
    lang: Lang,
}

impl Words<'_> {
    fn get(&self, id: &str, args: &Args<'_>) -> Result<String, I18nError> {
        self.locales.format(self.lang, id, args)
    }
}

/// Every word the panels show, fetched before drawing (plotters' label callbacks cannot fail).
struct Labels {
    weeks: Vec<String>,
    week_axis: String,
    activity: String,
    reflections: String,
    check_ins: String,
    hidden: String,
    principles_heading: String,
    principles: Vec<String>,
    trials_heading: String,
    trial_kinds: Vec<String>,
}

impl Labels {
    fn new(words: &Words<'_>, weeks: &[Digest]) -> Result<Labels, ChartError> {
        let mut principles = Vec::with_capacity(8);
        for p in 1..=8 {
            principles.push(words.get(&format!("principle-{p}"), &[])?);
        }
        let mut trial_kinds = vec![words.get("digest-chart-new", &[])?];
        for state in TRIAL_STATES {
            trial_kinds.push(words.get(&format!("trial-state-{}", state.name()), &[])?);
        }
        let mut week_labels = Vec::with_capacity(weeks.len());
        for digest in weeks {
            week_labels.push(words.get(
                "digest-chart-week",
                &[("week", i64::from(digest.week.week()).into())],
            )?);
        }
        Ok(Labels {
            weeks: week_labels,
            week_axis: words.get("digest-chart-week-axis", &[])?,
            activity: words.get("digest-chart-activity", &[])?,
            reflections: words.get("digest-chart-reflections", &[])?,
            check_ins: words.get("digest-chart-check-ins", &[])?,
            hidden: words.get("digest-chart-hidden", &[])?,
            principles_heading: words.get("digest-chart-principles", &[])?,
            principles,
            trials_heading: words.get("digest-chart-trials", &[])?,
            trial_kinds,
        })
    }

    /// The label under a week; weeks sit at whole x, and a tick between two weeks gets none.
    fn week(&self, x: f64) -> String {
        if (x - x.round()).abs() > 0.01 || x < 0.0 {
            return String::new();
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "x is a small non-negative whole number here"
        )]
        let i = x.round() as usize;
        self.weeks.get(i).cloned().unwrap_or_default()
    }
}

/// The states counted in a digest's trial figures, in its order.
const TRIAL_STATES: [TrialState; 5] = [
    TrialState::Tried,
    TrialState::Kept,
    TrialState::Adjusted,
    TrialState::Dropped,
    TrialState::Done,
];

/// The citizens' check-ins of a week, `None` where the floor hid them.
fn check_ins(digest: &Digest) -> Option<usize> {
    match &digest.citizens {
        Citizens::Shown(voice) => Some(voice.check_ins),
        Citizens::Hidden { .. } | Citizens::Later => None,
    }
}

/// A count as a plot coordinate (counts are far below 2^52).
#[expect(clippy::cast_precision_loss, reason = "weekly counts are small")]
fn at(n: usize) -> f64 {
    n as f64
}

fn x_range(weeks: usize) -> std::ops::Range<f64> {
    -0.5..at(weeks) - 0.5
}

/// A panel of bars by week up to `top`: its caption, the weeks below, counts on the left.
fn bar_panel<'a, 'b>(
    area: &'a DrawingArea<BitMapBackend<'b>, Shift>,
    caption: &str,
    labels: &Labels,
    weeks: usize,
    top: f64,
) -> Result<Panel<'a, 'b>, ChartError> {
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 20).into_font().color(&INK))
        .margin_left(24)
        .margin_right(24)
        .x_label_area_size(28)
        .y_label_area_size(44)
        .build_cartesian_2d(x_range(weeks), 0.0..top)
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(weeks)
        .x_label_formatter(&|x: &f64| labels.week(*x))
        .y_labels(5)
        .y_label_formatter(&|y: &f64| format!("{y:.0}"))
        .label_style((FONT, 15).into_font().color(&INK))
        .draw()
        .map_err(drawing)?;
    Ok(chart)
}

/// The panel's series labels, top right (each panel leaves room there).
fn draw_legend<'a, 'b: 'a>(chart: &mut Panel<'a, 'b>) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 14).into_font().color(&INK))
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .draw()
        .map_err(drawing)
}

/// A panel with weeks along x and counts up y.
type Panel<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Reflections and check-ins per week, side by side; no citizen bar where the floor hid them.
fn draw_activity(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    weeks: &[Digest],
    labels: &Labels,
) -> Result<(), ChartError> {
    let highest = weeks
        .iter()
        .flat_map(|d| [d.reflections.this_week, check_ins(d).unwrap_or(0)])
        .max()
        .unwrap_or(0)
        .max(1);
    let top = at(highest) * ACTIVITY_HEADROOM;
    let mut chart = bar_panel(area, &labels.activity, labels, weeks.len(), top)?;
    let label_style = centred((FONT, 15).into_font().color(&INK), VPos::Bottom);
    chart
        .draw_series(weeks.iter().enumerate().map(|(i, d)| {
            let x = at(i);
            Rectangle::new(
                [(x - 0.38, 0.0), (x - 0.02, at(d.reflections.this_week))],
                REFLECTIONS.filled(),
            )
        }))
        .map_err(drawing)?
        .label(&labels.reflections)
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], REFLECTIONS.filled()));
    let shown: Vec<(usize, usize)> = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, d)| check_ins(d).map(|n| (i, n)))
        .collect();
    if !shown.is_empty() {
        chart
            .draw_series(shown.iter().map(|&(i, n)| {
                let x = at(i);
                Rectangle::new([(x + 0.02, 0.0), (x + 0.38, at(n))], CHECK_INS.filled())
            }))
            .map_err(drawing)?
            .label(&labels.check_ins)
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], CHECK_INS.filled()));
    }
    // The figures on the bars, and a dash where the citizens were too few to show.
    let mut marks = Vec::new();
    for (i, d) in weeks.iter().enumerate() {
        let x = at(i);
        marks.push(Text::new(
            d.reflections.this_week.to_string(),
            (x - 0.2, at(d.reflections.this_week) + at(highest) * 0.02),
            label_style.clone(),
        ));
        let citizens = check_ins(d).map_or_else(|| "–".to_owned(), |n| n.to_string());
        let height = at(check_ins(d).unwrap_or(0));
        marks.push(Text::new(
            citizens,
            (x + 0.2, height + at(highest) * 0.02),
            label_style.clone(),
        ));
    }
    chart.draw_series(marks).map_err(drawing)?;
    chart
        .draw_series(std::iter::once(Text::new(
            labels.hidden.clone(),
            (-0.45, at(highest) * (ACTIVITY_HEADROOM - 0.05)),
            (FONT, 13).into_font().color(&INK),
        )))
        .map_err(drawing)?;
    draw_legend(&mut chart)
}

/// A strip per principle: how many staff reflections chose it each week, shaded and counted.
fn draw_principles(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    weeks: &[Digest],
    labels: &Labels,
) -> Result<(), ChartError> {
    let most = weeks
        .iter()
        .flat_map(|d| d.principles)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            &labels.principles_heading,
            (FONT, 20).into_font().color(&INK),
        )
        .margin_left(24)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(330)
        .build_cartesian_2d(x_range(weeks.len()), -0.5..7.5)
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(weeks.len())
        .x_label_formatter(&|x: &f64| labels.week(*x))
        .x_desc(&labels.week_axis)
        .y_labels(8)
        // Principle 1 on top.
        .y_label_formatter(&|y: &f64| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "y is a whole number from 0 to 7 here"
            )]
            let row = y.round().clamp(0.0, 7.0) as usize;
            let number = 8 - row;
            format!(
                "{number}. {}",
                labels
                    .principles
                    .get(number - 1)
                    .cloned()
                    .unwrap_or_default()
            )
        })
        .label_style((FONT, 14).into_font().color(&INK))
        .draw()
        .map_err(drawing)?;
    let mut cells = Vec::new();
    let mut counts = Vec::new();
    for (i, d) in weeks.iter().enumerate() {
        let x = at(i);
        for (p, &n) in d.principles.iter().enumerate() {
            let y = 7.0 - at(p);
            let share = at(n) / at(most);
            cells.push(Rectangle::new(
                [(x - 0.45, y - 0.42), (x + 0.45, y + 0.42)],
                shade(share).filled(),
            ));
            if n > 0 {
                let ink = if share > 0.55 { WHITE } else { INK };
                counts.push(Text::new(
                    n.to_string(),
                    (x, y),
                    centred((FONT, 15).into_font().color(&ink), VPos::Center),
                ));
            }
        }
    }
    chart.draw_series(cells).map_err(drawing)?;
    chart.draw_series(counts).map_err(drawing)?;
    Ok(())
}

/// White for none, [`STRIP`] for the most chosen, in between by share.
fn shade(share: f64) -> RGBColor {
    let mix = |to: u8| {
        let from = 246.0;
        let value = from + (f64::from(to) - from) * share.clamp(0.0, 1.0);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "value lies between two bytes"
        )]
        let byte = value.round() as u8;
        byte
    };
    RGBColor(mix(STRIP.0), mix(STRIP.1), mix(STRIP.2))
}

/// Trial actions per week: new ones and state changes, stacked.
fn draw_trials(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    weeks: &[Digest],
    labels: &Labels,
) -> Result<(), ChartError> {
    let stacks: Vec<[usize; 6]> = weeks.iter().map(trial_counts).collect();
    let highest = stacks
        .iter()
        .map(|s| s.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let top = at(highest) * TRIALS_HEADROOM;
    let mut chart = bar_panel(area, &labels.trials_heading, labels, weeks.len(), top)?;
    for (kind, (colour, label)) in TRIAL_COLOURS.iter().zip(&labels.trial_kinds).enumerate() {
        let colour = *colour;
        chart
            .draw_series(stacks.iter().enumerate().map(|(i, stack)| {
                let below: usize = stack.iter().take(kind).sum();
                let x = at(i);
                Rectangle::new(
                    [(x - 0.3, at(below)), (x + 0.3, at(below + stack[kind]))],
                    colour.filled(),
                )
            }))
            .map_err(drawing)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
    }
    draw_legend(&mut chart)
}

/// New trial actions, then the week's state changes in the digest's order.
fn trial_counts(digest: &Digest) -> [usize; 6] {
    let [tried, kept, adjusted, dropped, done] = digest.trials.changed().map(|(_, n)| n);
    // Kept figures hold the count; a digest kept before there was one, the list.
    [
        digest.trials.created.max(digest.trials.new.len()),
        tried,
        kept,
        adjusted,
        dropped,
        done,
    ]
}

/// The picture in words: weeks, counts per week (a dash where citizens were too few), the
/// principles chosen most and least, and the trial actions of all the weeks.
fn alt_text(words: &Words<'_>, weeks: &[Digest]) -> Result<String, ChartError> {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Err(ChartError::NoWeeks);
    };
    let per_week = |count: &dyn Fn(&Digest) -> Option<usize>| {
        weeks
            .iter()
            .map(|d| count(d).map_or_else(|| "–".to_owned(), |n| n.to_string()))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let mut principles = [0usize; 8];
    for d in weeks {
        for (total, n) in principles.iter_mut().zip(d.principles) {
            *total += n;
        }
    }
    let chosen: usize = principles.iter().sum();
    let name = |number: usize| words.get(&format!("principle-{number}"), &[]);
    let most = (1..=8usize)
        .zip(principles)
        .max_by_key(|&(p, n)| (n, std::cmp::Reverse(p)))
        .map_or(1, |(p, _)| p);
    let least = (1..=8usize)
        .zip(principles)
        .min_by_key(|&(p, n)| (n, p))
        .map_or(1, |(p, _)| p);
    let mut trials = [0usize; 6];
    for d in weeks {
        for (total, n) in trials.iter_mut().zip(trial_counts(d)) {
            *total += n;
        }
    }
    let [new, tried, kept, adjusted, dropped, done] = trials;
    Ok(words.get(
        "digest-chart-alt",
        &[
            ("group", last.group_name.as_str().into()),
            ("weeks", weeks.len().into()),
            ("first", i64::from(first.week.week()).into()),
            ("last", i64::from(last.week.week()).into()),
            (
                "reflections",
                per_week(&|d| Some(d.reflections.this_week)).into(),
            ),
            ("check-ins", per_week(&check_ins).into()),
            ("chosen", chosen.into()),
            ("most", name(most)?.into()),
            ("least", name(least)?.into()),
            ("new", new.into()),
            ("tried", tried.into()),
            ("kept", kept.into()),
            ("adjusted", adjusted.into()),
            ("dropped", dropped.into()),
            ("done", done.into()),
        ],
    )?)
}

#[cfg(test)]
mod tests {
    use eftertanke_core::content::Content;
    use eftertanke_core::digest::{CitizenVoice, Compared, Trials};
    use jiff::civil::{ISOWeekDate, Weekday};

    use super::*;

    fn locales() -> &'static Locales {
        static CONTENT: OnceLock<Content> = OnceLock::new();
        &CONTENT
            .get_or_init(|| Content::load(None, None, &[]).unwrap())
            .locales
    }

    /// A kept week: `staff` reflections, and `citizens` check-ins (`None`: below the floor).
    fn week(number: i8, staff: usize, citizens: Option<usize>) -> Digest {
        let week = ISOWeekDate::new(2026, number, Weekday::Monday).unwrap();
        let mut principles = [0; 8];
        principles[usize::from(number.unsigned_abs()) % 8] = staff;
        principles[3] += 1;
        Digest {
            group_name: "Bostedet Ærøskøbing".into(),
            week,
            first_day: week.date(),
            last_day: week.date(),
            quiet: false,
            reflections: Compared {
                this_week: staff,
                last_week: 0,
            },
            principles,
            staff_lines: Vec::new(),
            staff_floor: None,
            trials: Trials {
                tried: 1,
                kept: staff / 2,
                dropped: 1,
                ..Trials::default()
            },
            citizens: match citizens {
                Some(n) => Citizens::Shown(CitizenVoice {
                    people: n.max(3),
                    check_ins: n,
                    check_ins_last_week: None,
                    lines: Vec::new(),
                    quotes: Vec::new(),
                    more_quotes: 0,
                    ideas: Vec::new(),
                    more_ideas: 0,
                }),
                None => Citizens::Hidden { floor: 3 },
            },
            focus: None,
            learned: Vec::new(),
            more_learned: 0,
            group_trials: Vec::new(),
            followed_up: Vec::new(),
        }
    }

    fn decode(png: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut reader = png::Decoder::new(png).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        pixels.truncate(info.buffer_size());
        (info, pixels)
    }

    fn pixels_of(pixels: &[u8], colour: RGBColor) -> usize {
        pixels
            .chunks_exact(3)
            .filter(|p| p == &[colour.0, colour.1, colour.2])
            .count()
    }

    fn eight(citizens: impl Fn(i8) -> Option<usize>) -> Vec<Digest> {
        (40..48)
            .map(|n| week(n, usize::from(n.unsigned_abs()) % 5 + 1, citizens(n)))
            .collect()
    }

    #[test]
    fn eight_weeks_at_the_promised_size_with_words_alike() {
        let weeks = eight(|n| (n % 2 == 0).then_some(4));
        for lang in Lang::ALL {
            let chart = draw(&weeks, locales(), lang).unwrap();
            let (info, pixels) = decode(&chart.png);
            assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
            assert!(
                pixels_of(&pixels, REFLECTIONS) > 1_000,
                "the bars are drawn"
            );
            assert!(chart.alt.chars().count() < 1_024, "{}", chart.alt);
        }
        let da = draw(&weeks, locales(), Lang::Da).unwrap().alt;
        assert!(da.contains("uge 40–47"), "{da}");
        assert!(
            da.contains("Personalets samtaler pr. uge: 1 · 2 · 3 · 4 · 5 · 1 · 2 · 3."),
            "{da}"
        );
        assert!(
            da.contains("Borgernes samtaler pr. uge: 4 · – · 4 · – · 4 · – · 4 · –"),
            "{da}"
        );
        // Ten weeks given: the last eight are drawn.
        let mut ten = eight(|_| None);
        ten.insert(0, week(38, 9, Some(9)));
        ten.insert(1, week(39, 9, Some(9)));
        let alt = draw(&ten, locales(), Lang::En).unwrap().alt;
        assert!(alt.contains("weeks 40–47"), "{alt}");
    }

    /// A week below the citizen floor holds no citizen count, and gets no citizen bar; with
    /// every week below it the citizens' colour is nowhere in the picture.
    #[test]
    fn no_citizen_bar_below_the_floor() {
        let hidden = draw(&eight(|_| None), locales(), Lang::Da).unwrap();
        assert_eq!(pixels_of(&decode(&hidden.png).1, CHECK_INS), 0);
        let one = draw(&eight(|n| (n == 44).then_some(6)), locales(), Lang::Da).unwrap();
        let two = draw(
            &eight(|n| (n == 44 || n == 46).then_some(6)),
            locales(),
            Lang::Da,
        )
        .unwrap();
        let (one, two) = (
            pixels_of(&decode(&one.png).1, CHECK_INS),
            pixels_of(&decode(&two.png).1, CHECK_INS),
        );
        assert!(one > 0 && two > one, "{one} {two}");
    }

    /// The bundled font has the Danish letters: pictures that differ only in æ, ø or å
    /// differ (a missing glyph would draw the same empty box for each).
    #[test]
    fn danish_letters_render() {
        let named = |name: &str| {
            let mut weeks = eight(|_| Some(3));
            for week in &mut weeks {
                week.group_name = name.into();
            }
            decode(&draw(&weeks, locales(), Lang::Da).unwrap().png).1
        };
        let (ae, oe, aa) = (named("Ææææ"), named("Øøøø"), named("Åååå"));
        assert_ne!(ae, oe);
        assert_ne!(oe, aa);
        assert_ne!(ae, aa);
    }

    #[test]
    fn nothing_to_draw_is_an_error() {
        assert!(matches!(
            draw(&[], locales(), Lang::Da),
            Err(ChartError::NoWeeks)
        ));
    }
}
