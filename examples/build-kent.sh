#!/usr/bin/env bash
# Rebuilds examples/kent-portfolio.json by running strat itself, day by day,
# with STRAT_TODAY pinned, so the file carries a real history (as-of views of
# 2021-12-31 show the plan as the decision record describes it).
#
#   bash examples/build-kent.sh            # writes examples/kent-portfolio.json
#
# What the decision records state is used as stated; everything else (refs,
# themes, owners, start and target dates, progress, the digital-strategy
# items) is illustrative and says so in the descriptions. See examples/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cargo build --quiet --manifest-path "$here/../Cargo.toml"
strat="$here/../target/debug/strat"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export STRAT_DB="$work/kent.db" STRAT_USER="Programme office (illustrative)"

on() { STRAT_TODAY="$1" "${@:2}"; }
item() { "$strat" item add "$@"; }

on 2020-11-06 "$strat" strategy add tech-2016 --title "Kent County Council Technology Strategy 2016-2020" \
  --period 2016-2020 --status superseded \
  --description "Provided the platform that let the Council adapt to new working locations and patterns during the COVID-19 pandemic (decision record 21/00097). Its items are not recorded here."

on 2020-11-06 "$strat" strategy add tech-2020 --title "Kent County Council Technology Strategy 2020-2023" \
  --period 2020-2023 --status draft \
  --lead "Rebecca Spore" --department "Strategic & Corporate Services" --supersedes tech-2016 \
  --description "Adopted on an interim basis while the Council reviews its technology strategy in the light of the COVID-19 pandemic; endorsed by the Policy and Resources Cabinet Committee on 6 November 2020. Illustrative: the adoption date (the record says the decision was due not before 29 November 2021) and every item's ref, theme, owner, dates and progress."

# The twelve activities of the 2020-2023 plan, in the record's order.
note="Illustrative dates, owner and progress; the activity is from decision record 21/00097."
on 2021-01-04 item tech-2020 "Implement Corporate OneDrive to replace personal drives" --ref T01 --theme "Modern workplace" --owner "Digital workplace team" --status in-progress --progress 10 --start 2020-06-01 --due 2022-03-31 --description "$note"
on 2021-01-04 item tech-2020 "Replace the ageing SAN and associated infrastructure in Sessions House data centre" --ref T02 --theme Infrastructure --owner "Infrastructure team" --status planned --start 2021-04-01 --due 2022-12-31 --description "$note"
on 2021-01-04 item tech-2020 "Migrate telephony from Skype to Microsoft Teams" --ref T03 --theme "Modern workplace" --owner "Digital workplace team" --status in-progress --progress 5 --start 2021-01-04 --due 2022-06-30 --description "$note"
on 2021-01-04 item tech-2020 "Deploy video conferencing in office buildings across Kent" --ref T04 --theme "Modern workplace" --owner "Digital workplace team" --status planned --start 2021-09-01 --due 2023-03-31 --description "$note"
on 2021-01-04 item tech-2020 "Integrate Child and Adult Care records into the Kent and Medway Care Record (KMCR)" --ref T05 --theme "Health and care" --owner "Data and integration team" --status in-progress --progress 40 --start 2020-09-01 --due 2021-09-30 --description "$note"
on 2021-01-04 item tech-2020 "Create a cloud-based data infrastructure with Adults, Children's, Finance and Property data" --ref T06 --theme Data --owner "Data and integration team" --status planned --start 2021-03-01 --due 2023-12-31 --description "$note"
on 2021-01-04 item tech-2020 "Pilot the Internet of Things (IoT), robotics and automation" --ref T07 --theme Innovation --owner "Technology commissioning" --status in-progress --progress 30 --start 2020-10-01 --due 2021-07-31 --description "$note"
on 2021-01-04 item tech-2020 "Implement Microsoft Defender across the Council's estate" --ref T08 --theme "Cyber security" --owner "Cyber security team" --status in-progress --progress 50 --start 2020-09-01 --due 2021-05-31 --description "$note"
on 2021-01-04 item tech-2020 "Implement Microsoft Managed Desktop for end user devices" --ref T09 --theme "Modern workplace" --owner "Digital workplace team" --status in-progress --progress 20 --start 2020-11-01 --due 2021-10-31 --description "$note"
on 2021-01-04 item tech-2020 "Implement Microsoft Intune for mobile devices" --ref T10 --theme "Modern workplace" --owner "Digital workplace team" --status in-progress --progress 35 --start 2020-10-01 --due 2021-06-30 --description "$note"
on 2021-01-04 item tech-2020 "Improve ransomware protection with advanced backup and network segmentation" --ref T11 --theme "Cyber security" --owner "Cyber security team" --status in-progress --progress 15 --start 2021-01-04 --due 2021-11-30 --description "$note"
on 2021-01-04 item tech-2020 "Achieve Public Services Network (PSN) Code of Compliance" --ref T12 --theme "Cyber security" --owner "Cyber security team" --status in-progress --progress 25 --start 2020-10-01 --due 2021-08-31 --description "$note"

u() { on "$1" "$strat" item update "${@:2}"; }
d() { on "$1" "$strat" item done "${@:2}"; }

# 2021: most of the plan is delivered; the data centre outage slows the SAN work.
u 2021-03-31 1 --progress 35 --note "Pilot group moved to OneDrive."
u 2021-04-01 2 --status in-progress --progress 5 --note "Procurement for the replacement SAN under way."
d 2021-05-28 8 --on 2021-05-28 --note "Defender live on every managed device."
u 2021-06-15 3 --progress 30 --note "First directorates moved from Skype to Teams calling."
d 2021-06-30 10 --on 2021-06-30 --note "Intune manages all corporate mobile devices."
u 2021-07-20 2 --rag amber --reason "Data centre outage in 2021 diverted the infrastructure team." --note "Recovery work after the data centre outage takes priority."
d 2021-07-30 7 --on 2021-07-30 --note "IoT, robotics and automation pilots reported to the Strategic Technology Board."
d 2021-08-31 12 --on 2021-08-31 --note "PSN Code of Compliance certificate received."
u 2021-09-01 4 --status in-progress --progress 5
d 2021-09-30 5 --on 2021-09-30 --note "Child and Adult Care records flowing into the KMCR."
u 2021-10-01 6 --status in-progress --progress 20 --note "Cloud data platform built; Adults and Finance data loaded."
d 2021-10-29 9 --on 2021-10-29 --note "Managed Desktop rolled out to all staff laptops."
d 2021-11-30 11 --on 2021-11-30 --note "Immutable backups and network segmentation in place."
u 2021-12-15 1 --progress 60 --note "Personal drives closed for new files."
u 2021-12-15 2 --progress 40 --rag auto --note "SAN delivered; migration of workloads started."
u 2021-12-15 3 --progress 50
u 2021-12-15 4 --progress 20 --note "Video conferencing in Sessions House meeting rooms."
u 2021-12-15 6 --progress 30

on 2021-11-29 "$strat" strategy edit tech-2020 --status interim --decision 21/00097 --adopted 2021-11-29

# 2022-2023: some work finishes late, three activities run past the period.
d 2022-06-30 1 --on 2022-06-30 --note "Personal drives retired."
u 2022-12-20 2 --progress 80 --note "Final workloads waiting on application upgrades."
u 2022-12-20 4 --progress 45
u 2022-12-20 6 --progress 40 --note "Children's data loaded; Property data delayed."
d 2023-03-31 3 --on 2023-03-31 --note "Skype for Business switched off."
u 2023-06-30 2 --status on-hold --progress 90 --note "Paused until the remaining applications are upgraded."
u 2023-12-15 4 --progress 70 --note "Remaining sites scheduled for 2024."
u 2023-12-15 6 --progress 55

on 2024-03-18 "$strat" strategy add digital-2024 --title "Kent County Council Digital Strategy 2024-2027" \
  --period 2024-2027 --status adopted --decision 23/00120 --adopted 2024-03-18 \
  --lead "Peter Oakford, Deputy Leader and Cabinet Member for Finance, Corporate and Traded Services" \
  --description "Coordinates and drives digital transformation and is the overarching framework for the Council's digitally focused strategies and policies; endorsed by the Policy and Resources Cabinet Committee on 17 January 2024. Illustrative: every item (the decision record lists none) and its ref, theme, owner, dates and progress."

note="Illustrative item; decision record 23/00120 lists no activities."
on 2024-04-02 item digital-2024 "One online account for residents across council services" --ref D01 --theme "Resident experience" --owner "Digital services team" --status in-progress --progress 5 --start 2024-04-01 --due 2027-03-31 --description "$note"
on 2024-04-02 item digital-2024 "Data and analytics platform for insight-led services" --ref D02 --theme Data --owner "Data and integration team" --status in-progress --progress 10 --start 2024-04-01 --due 2026-09-30 --description "$note"
on 2024-04-02 item digital-2024 "Responsible use of AI: policy and pilots" --ref D03 --theme Innovation --owner "Technology commissioning" --status planned --start 2024-09-01 --due 2025-12-31 --description "$note"
on 2024-04-02 item digital-2024 "Digital skills programme for staff" --ref D04 --theme People --owner "Organisational development" --status in-progress --progress 5 --start 2024-04-01 --due 2027-12-31 --description "$note"
on 2024-04-02 item digital-2024 "Cyber resilience against the Cyber Assessment Framework" --ref D05 --theme "Cyber security" --owner "Cyber security team" --status in-progress --progress 10 --start 2024-06-01 --due 2026-12-31 --description "$note"
on 2024-04-02 item digital-2024 "Roadmap to replace legacy line-of-business systems" --ref D06 --theme Infrastructure --owner "Technology commissioning" --status planned --start 2026-04-01 --due 2027-09-30 --description "$note"

u 2024-12-16 13 --progress 25 --note "Account sign-in live for waste and highways reporting."
u 2024-12-16 14 --progress 35
u 2024-12-16 15 --status in-progress --progress 40 --note "AI use policy agreed; two pilots running."
u 2024-12-16 16 --progress 15
d 2025-11-14 15 --on 2025-11-14 --note "Pilots evaluated; guidance published to staff."
u 2025-12-15 13 --progress 45
u 2025-12-15 14 --progress 70 --note "Adults and Children's dashboards in use."
u 2025-12-15 17 --status on-hold --progress 50 --note "Waiting on the national framework refresh."
u 2025-12-15 16 --progress 35
u 2026-06-30 18 --status in-progress --progress 25 --note "Inventory of line-of-business systems complete."

"$strat" export > "$here/kent-portfolio.json"
echo "Wrote $here/kent-portfolio.json" >&2
