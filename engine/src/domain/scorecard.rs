//! The Decision 766 scorecard (`reference/decision-766-indicators.md` in the shared folder): the indicators with
//! their groups and maximum points as one versioned table, and the formulas that turn a period's figures into
//! points. Pure: the figures are counted by the store from the dossiers (and, once they exist, the petitions);
//! the few that live outside this system (publication of procedures, certified copies) are entered.
//!
//! Points are kept in hundredths and rounded half up once per indicator, so that the groups and the total are
//! sums of what is shown.

use serde::Serialize;

/// The table in force. The per-indicator points were observed from the portal's evaluation data by third parties,
/// not taken from an official text: a change of weights is a new version of this table, and a scorecard says which
/// version scored it.
pub const WEIGHTS_VERSION: &str = "766/2026-12";

/// A rating (1 to 5) at or below this is "not satisfied", against the dossier satisfaction indicator.
pub const NOT_SATISFIED_AT_MOST: i32 = 2;

/// Whether a rating counts as "not satisfied" against the dossier satisfaction indicator: a score of
/// [`NOT_SATISFIED_AT_MOST`] or less, or "not satisfied" answered to any of the portal's questions (with the
/// reception, the result, the officer; `None` where not asked). The store's trigger on ratings (migration 18)
/// marks the dossier's facts by the same rule.
pub fn not_satisfied(score: i32, answers: [Option<bool>; 3]) -> bool {
    score <= NOT_SATISFIED_AT_MOST || answers.contains(&Some(false))
}

/// A message to the national portal delivered within this many seconds of the change it reports is synced "in
/// real time" (DOSSIER_SYNC). The reference gives no figure: an hour leaves room for the outbox's retries over a
/// short outage of the portal, not for a day's.
pub const SYNC_WITHIN_SECS: i64 = 3600;

/// [`SYNC_WITHIN_SECS`] as a duration.
pub fn sync_within() -> chrono::TimeDelta {
    chrono::TimeDelta::seconds(SYNC_WITHIN_SECS)
}

/// The five groups of the decision (the portal splits online services into dossiers and payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Transparency,
    Progress,
    OnlineServices,
    OnlinePayment,
    Digitisation,
    Satisfaction,
}

/// Where an indicator's figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Counted from the dossiers this system holds.
    Dossiers,
    /// Counted from the petitions (phản ánh, kiến nghị) this system holds.
    Petitions,
    /// Held outside this system (the procedure catalogue's publication, the communes' certified copies): entered
    /// by the province's administrator.
    Entered,
}

/// How an indicator's figures become points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formula {
    /// max × numerator / denominator; with nothing to count, `when_empty`.
    Rate { when_empty: WhenEmpty },
    /// Full marks from a rate of `per_mille` up, proportionally below; with nothing to count, `when_empty`.
    FullAt { per_mille: u64, when_empty: WhenEmpty },
    /// Online payment: 6 × A + min(2, 2.5 × B) + 2.5 × C (see [`Figure::Payment`]), capped at the indicator's
    /// maximum: the reference's sum reaches 10.5 where the indicator holds 10.
    OnlinePayment,
}

/// The points of an indicator whose denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenEmpty {
    Nothing,
    FullMarks,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    /// Stable in the API and the message catalogue (`indicator.<code>`); the portal's own code where it has one.
    pub code: &'static str,
    pub group: Group,
    /// Maximum points, in hundredths.
    pub max: u32,
    pub formula: Formula,
    pub source: Source,
}

const fn row(code: &'static str, group: Group, points: u32, formula: Formula, source: Source) -> Indicator {
    Indicator { code, group, max: points * 100, formula, source }
}

const RATE: Formula = Formula::Rate { when_empty: WhenEmpty::Nothing };
const RATE_FULL_WHEN_NONE: Formula = Formula::Rate { when_empty: WhenEmpty::FullMarks };

/// Every indicator, in the portal's order: 100 points in all.
pub const INDICATORS: [Indicator; 17] = [
    row("PUBLISH_ON_TIME", Group::Transparency, 6, RATE, Source::Entered),
    row("PUBLIC_UPDATE_ON_TIME", Group::Transparency, 4, RATE, Source::Entered),
    row("PUBLIC_CONTENT_FULL", Group::Transparency, 2, RATE, Source::Entered),
    row("DOSSIER_SYNC", Group::Transparency, 6, RATE, Source::Dossiers),
    row("DOSSIER_ON_TIME", Group::Progress, 20, RATE, Source::Dossiers),
    row("FULLY_ONLINE_DOSSIER", Group::OnlineServices, 12, RATE, Source::Dossiers),
    row("ONLINE_PAYMENT", Group::OnlinePayment, 10, Formula::OnlinePayment, Source::Dossiers),
    row("ORIGINAL_RESULT_AVAILABLE", Group::Digitisation, 6, RATE, Source::Dossiers),
    row("SO_HOA_GIAY_TO_GIAI_QUYET", Group::Digitisation, 4, RATE, Source::Dossiers),
    row("ELECTRONIC_CERTIFIED_COPY", Group::Digitisation, 2, RATE, Source::Entered),
    row(
        "REUSED_DIGITIZED_DATA",
        Group::Digitisation,
        2,
        Formula::FullAt { per_mille: 800, when_empty: WhenEmpty::Nothing },
        Source::Dossiers,
    ),
    row("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", Group::Digitisation, 4, RATE, Source::Dossiers),
    row("CITIZEN_DATA_CONNECTED_DOSSIER", Group::Digitisation, 2, RATE, Source::Dossiers),
    row("CITIZEN_DATA_CONNECTED_FORMALITY", Group::Digitisation, 2, RATE, Source::Dossiers),
    row("PETITION_PROCESSING_ON_TIME", Group::Satisfaction, 6, RATE_FULL_WHEN_NONE, Source::Petitions),
    row("PETITION_HANDLING_SATISFACTION", Group::Satisfaction, 6, RATE_FULL_WHEN_NONE, Source::Petitions),
    row(
        "DOSSIER_RECEIVING_SATISFACTION",
        Group::Satisfaction,
        6,
        Formula::FullAt { per_mille: 900, when_empty: WhenEmpty::Nothing },
        Source::Dossiers,
    ),
];

/// The indicator of `code`.
pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

/// A part of a whole: the numerator and denominator of a rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

impl Ratio {
    pub fn new(numerator: u64, denominator: u64) -> Ratio {
        Ratio { numerator, denominator }
    }

    /// The rate in thousandths, rounded half up; `None` when there is nothing to count.
    pub fn per_mille(self) -> Option<u64> {
        (self.denominator > 0).then(|| round_half_up(u128::from(self.numerator) * 1000, u128::from(self.denominator)))
    }
}

/// What an indicator is scored from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Figure {
    /// A rate's numerator and denominator.
    Rate(Ratio),
    /// Online payment's three rates: A, dossiers paid online of those with a fee to pay; B, procedures with a fee
    /// that had a dossier paid online, of procedures with a fee; C, procedures with a fee that had a dossier with
    /// a fee, of procedures with a fee.
    Payment { paid_online: Ratio, procedures_paid_online: Ratio, procedures_used: Ratio },
    /// Held outside this system and not entered for the period: unscored.
    NotEntered,
}

/// One indicator scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scored {
    pub code: &'static str,
    pub group: Group,
    pub source: Source,
    pub figure: Figure,
    /// In hundredths; `None` when not entered.
    pub points: Option<u32>,
    pub max: u32,
}

/// Scores `figure` by `indicator`'s formula. A figure of the wrong shape for the formula scores nothing.
pub fn score(indicator: &Indicator, figure: Figure) -> Scored {
    let max = u128::from(indicator.max);
    let empty = |when: WhenEmpty| match when {
        WhenEmpty::Nothing => 0,
        WhenEmpty::FullMarks => indicator.max,
    };
    let points = match (indicator.formula, figure) {
        (_, Figure::NotEntered) => None,
        (Formula::Rate { when_empty }, Figure::Rate(r)) => Some(match r.denominator {
            0 => empty(when_empty),
            d => narrow(round_half_up(max * u128::from(r.numerator.min(d)), u128::from(d))),
        }),
        (Formula::FullAt { per_mille, when_empty }, Figure::Rate(r)) => Some(match r.denominator {
            0 => empty(when_empty),
            // max × min(1, rate / full): max × n × 1000 / (d × full), capped at max.
            d => narrow(
                round_half_up(max * u128::from(r.numerator) * 1000, u128::from(d) * u128::from(per_mille.max(1)))
                    .min(u64::from(indicator.max)),
            ),
        }),
        (Formula::OnlinePayment, Figure::Payment { paid_online, procedures_paid_online, procedures_used }) => {
            Some(online_payment(paid_online, procedures_paid_online, procedures_used).min(indicator.max))
        }
        _ => Some(0),
    };
    Scored {
        code: indicator.code,
        group: indicator.group,
        source: indicator.source,
        figure,
        points,
        max: indicator.max,
    }
}

/// 6 × A + min(2, 2.5 × B) + 2.5 × C in hundredths, each rate 0 when its denominator is, rounded once.
fn online_payment(a: Ratio, b: Ratio, c: Ratio) -> u32 {
    // Exact sum of three fractions over the product of their denominators (a denominator of 0 counts as 1 with
    // a numerator of 0).
    let part = |r: Ratio| match r.denominator {
        0 => (0u128, 1u128),
        d => (u128::from(r.numerator.min(d)), u128::from(d)),
    };
    let ((an, ad), (bn, bd), (cn, cd)) = (part(a), part(b), part(c));
    let whole = ad * bd * cd;
    let first = 600 * an * bd * cd;
    let second = (250 * bn * ad * cd).min(200 * whole);
    let third = 250 * cn * ad * bd;
    narrow(round_half_up(first + second + third, whole))
}

fn round_half_up(numerator: u128, denominator: u128) -> u64 {
    u64::try_from((2 * numerator + denominator) / (2 * denominator)).unwrap_or(u64::MAX)
}

fn narrow(hundredths: u64) -> u32 {
    u32::try_from(hundredths).unwrap_or(u32::MAX)
}

/// A group's points and maximum, in hundredths; the maximum counts only the indicators that were scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupScore {
    pub group: Group,
    pub points: u32,
    pub max: u32,
    /// The group's maximum in the table, scored or not.
    pub table_max: u32,
}

/// Every indicator scored, by group and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scorecard {
    pub weights_version: &'static str,
    pub indicators: Vec<Scored>,
    pub groups: Vec<GroupScore>,
    /// Sum of the scored indicators' points, out of `max` (100 points when every indicator was scored).
    pub points: u32,
    pub max: u32,
}

/// Scores every indicator of the table from `figure_of(code)`.
pub fn scorecard(figure_of: impl Fn(&'static str) -> Figure) -> Scorecard {
    let indicators: Vec<Scored> = INDICATORS.iter().map(|i| score(i, figure_of(i.code))).collect();
    let mut groups: Vec<GroupScore> = Vec::new();
    for scored in &indicators {
        let at = match groups.iter().position(|g| g.group == scored.group) {
            Some(at) => at,
            None => {
                groups.push(GroupScore { group: scored.group, points: 0, max: 0, table_max: 0 });
                groups.len() - 1
            }
        };
        let group = &mut groups[at];
        group.table_max += scored.max;
        if let Some(points) = scored.points {
            group.points += points;
            group.max += scored.max;
        }
    }
    Scorecard {
        weights_version: WEIGHTS_VERSION,
        points: groups.iter().map(|g| g.points).sum(),
        max: groups.iter().map(|g| g.max).sum(),
        indicators,
        groups,
    }
}

#[cfg(test)]
// Points are written in hundredths with the decimal point as `_`: 18_50 is 18.50 points.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn rate(code: &str, n: u64, d: u64) -> Option<u32> {
        score(indicator(code).unwrap(), Figure::Rate(Ratio::new(n, d))).points
    }

    #[test]
    fn a_low_score_or_any_answer_not_satisfied_is_not_satisfied() {
        let all_satisfied = [Some(true); 3];
        assert!(!not_satisfied(3, all_satisfied) && !not_satisfied(5, [None; 3]));
        assert!(not_satisfied(NOT_SATISFIED_AT_MOST, all_satisfied));
        assert!(not_satisfied(5, [Some(true), Some(true), Some(false)]), "the officer");
        assert!(not_satisfied(4, [Some(false), None, Some(true)]), "the reception");
    }

    #[test]
    fn the_table_holds_a_hundred_points_in_the_groups_of_the_reference() {
        let total: u32 = INDICATORS.iter().map(|i| i.max).sum();
        assert_eq!(total, 100_00);
        let group = |g: Group| INDICATORS.iter().filter(|i| i.group == g).map(|i| i.max).sum::<u32>() / 100;
        assert_eq!(
            [Group::Transparency, Group::Progress, Group::OnlineServices, Group::OnlinePayment, Group::Digitisation]
                .map(group),
            [18, 20, 12, 10, 22]
        );
        assert_eq!(group(Group::Satisfaction), 18);
        let codes: std::collections::BTreeSet<_> = INDICATORS.iter().map(|i| i.code).collect();
        assert_eq!(codes.len(), INDICATORS.len());
    }

    #[test]
    fn a_rate_scores_its_share_of_the_maximum_rounded_half_up_to_hundredths() {
        // 20 × 37 / 40 = 18.5
        assert_eq!(rate("DOSSIER_ON_TIME", 37, 40), Some(18_50));
        // 12 × 2 / 3 = 7.999.. -> 8.00
        assert_eq!(rate("FULLY_ONLINE_DOSSIER", 2, 3), Some(8_00));
        // 6 × 1 / 7 = 0.857.. -> 0.86
        assert_eq!(rate("DOSSIER_SYNC", 1, 7), Some(86));
        // 6 × 1 / 8 = 0.75 exactly; 6 × 1 / 2400 = 0.0025 -> 0.00 (half a hundredth rounds up only from 0.005)
        assert_eq!(rate("DOSSIER_SYNC", 1, 8), Some(75));
        assert_eq!(rate("DOSSIER_SYNC", 1, 2400), Some(0));
        assert_eq!(rate("DOSSIER_SYNC", 1, 1200), Some(1));
        assert_eq!(rate("DOSSIER_ON_TIME", 40, 40), Some(20_00));
    }

    #[test]
    fn nothing_to_count_scores_nothing_except_petitions_which_score_full_marks() {
        assert_eq!(rate("DOSSIER_ON_TIME", 0, 0), Some(0));
        assert_eq!(rate("REUSED_DIGITIZED_DATA", 0, 0), Some(0));
        assert_eq!(rate("DOSSIER_RECEIVING_SATISFACTION", 0, 0), Some(0));
        assert_eq!(rate("PETITION_PROCESSING_ON_TIME", 0, 0), Some(6_00));
        assert_eq!(rate("PETITION_HANDLING_SATISFACTION", 0, 0), Some(6_00));
        assert_eq!(rate("PETITION_PROCESSING_ON_TIME", 1, 4), Some(1_50));
    }

    #[test]
    fn capped_indicators_give_full_marks_from_their_threshold() {
        // Reuse: full at 80 %. 40 % -> 1.00 of 2; 80 % and 95 % -> 2.00.
        assert_eq!(rate("REUSED_DIGITIZED_DATA", 40, 100), Some(1_00));
        assert_eq!(rate("REUSED_DIGITIZED_DATA", 80, 100), Some(2_00));
        assert_eq!(rate("REUSED_DIGITIZED_DATA", 95, 100), Some(2_00));
        // Satisfaction with dossiers: full at 90 %. 45 % -> 3.00 of 6; 60 % -> 4.00; 1 of 3 -> 2.22.
        assert_eq!(rate("DOSSIER_RECEIVING_SATISFACTION", 45, 100), Some(3_00));
        assert_eq!(rate("DOSSIER_RECEIVING_SATISFACTION", 60, 100), Some(4_00));
        assert_eq!(rate("DOSSIER_RECEIVING_SATISFACTION", 1, 3), Some(2_22));
        assert_eq!(rate("DOSSIER_RECEIVING_SATISFACTION", 9, 10), Some(6_00));
    }

    #[test]
    fn online_payment_adds_its_three_rates_with_the_second_capped_at_two_points() {
        let pay = |a: (u64, u64), b: (u64, u64), c: (u64, u64)| {
            let figure = Figure::Payment {
                paid_online: Ratio::new(a.0, a.1),
                procedures_paid_online: Ratio::new(b.0, b.1),
                procedures_used: Ratio::new(c.0, c.1),
            };
            score(indicator("ONLINE_PAYMENT").unwrap(), figure).points
        };
        // A = 1/2 -> 3; B = 1/2 -> min(2, 1.25) = 1.25; C = 1 -> 2.5: 6.75.
        assert_eq!(pay((1, 2), (1, 2), (2, 2)), Some(6_75));
        // Everything paid online: 6 + min(2, 2.5) + 2.5 = 10.5, capped at the indicator's 10.
        assert_eq!(pay((4, 4), (3, 3), (3, 3)), Some(10_00));
        // A = 3/4 -> 4.5, B = 1 -> 2, C = 1 -> 2.5: 9.
        assert_eq!(pay((3, 4), (3, 3), (3, 3)), Some(9_00));
        // B = 4/5 -> 2.5 × 0.8 = 2 exactly; B = 3/5 -> 1.5.
        assert_eq!(pay((0, 4), (4, 5), (0, 5)), Some(2_00));
        assert_eq!(pay((0, 4), (3, 5), (0, 5)), Some(1_50));
        // No fee anywhere: nothing.
        assert_eq!(pay((0, 0), (0, 0), (0, 0)), Some(0));
        // A = 1/3 -> 2, B = 1/3 -> 0.8333.., C = 2/3 -> 1.6666..: 4.5 exactly, summed before rounding.
        assert_eq!(pay((1, 3), (1, 3), (2, 3)), Some(4_50));
    }

    #[test]
    fn a_numerator_above_its_denominator_never_scores_above_the_maximum() {
        assert_eq!(rate("DOSSIER_SYNC", 9, 3), Some(6_00));
        assert_eq!(rate("REUSED_DIGITIZED_DATA", u64::MAX, 1), Some(2_00));
        assert_eq!(rate("DOSSIER_ON_TIME", u64::MAX, u64::MAX), Some(20_00));
    }

    #[test]
    fn the_scorecard_sums_what_was_scored_and_leaves_what_was_not_entered_out_of_the_maximum() {
        let card = scorecard(|code| match code {
            "DOSSIER_ON_TIME" => Figure::Rate(Ratio::new(3, 4)),
            "FULLY_ONLINE_DOSSIER" => Figure::Rate(Ratio::new(1, 2)),
            "PUBLISH_ON_TIME" => Figure::Rate(Ratio::new(1, 1)),
            c if indicator(c).unwrap().source == Source::Entered => Figure::NotEntered,
            "ONLINE_PAYMENT" => Figure::Payment {
                paid_online: Ratio::default(),
                procedures_paid_online: Ratio::default(),
                procedures_used: Ratio::default(),
            },
            _ => Figure::Rate(Ratio::default()),
        });
        // 15 + 6 + 6 (publication) + 6 + 6 (the two petition indicators with no petitions).
        assert_eq!(card.points, 39_00);
        // Entered but not given: PUBLIC_UPDATE_ON_TIME (4), PUBLIC_CONTENT_FULL (2), ELECTRONIC_CERTIFIED_COPY (2).
        assert_eq!(card.max, 92_00);
        let transparency = card.groups.iter().find(|g| g.group == Group::Transparency).unwrap();
        assert_eq!((transparency.points, transparency.max, transparency.table_max), (6_00, 12_00, 18_00));
        assert_eq!(card.indicators.iter().filter(|s| s.points.is_none()).count(), 3);
        assert_eq!(card.weights_version, WEIGHTS_VERSION);
    }

    #[test]
    fn a_figure_of_the_wrong_shape_scores_nothing() {
        let i = indicator("ONLINE_PAYMENT").unwrap();
        assert_eq!(score(i, Figure::Rate(Ratio::new(1, 1))).points, Some(0));
        assert_eq!(Ratio::new(2, 3).per_mille(), Some(667));
        assert_eq!(Ratio::new(0, 0).per_mille(), None);
    }
}
