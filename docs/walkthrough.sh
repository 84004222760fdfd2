#!/usr/bin/env bash
# The learning loop tried as a new facilitator would (docs/learning-loop.md): Lis makes a
# group, three staff members and three citizens use it for two weeks, the group holds a
# learning meeting, and the next four weeks go on from what it decided. Then the digest of
# the last week is printed and drawn. Every person is a terminal chat on one data folder;
# `--now` sets the day each one writes.
#
#   cargo build --release && bash docs/walkthrough.sh [OUT_DIR]
#
# OUT_DIR (default: a new temporary folder) gets the transcripts, the digest and its PNG.
set -euo pipefail

bin=${EFTERTANKE:-target/release/eftertanke}
out=${1:-$(mktemp -d)}
mkdir -p "$out"
data="$out/data"
config="$out/eftertanke.toml"
printf 'facilitators = ["console:lis"]\n' >"$config"

# chat USER ROLE DAY: the lines on stdin, said by USER on DAY (2026-10-05) at 15:00 UTC.
chat() {
  "$bin" chat --config "$config" --data "$data" --user "$1" --as "$2" --lang da \
    --now "$3T15:00:00Z" >>"$out/$1.txt" 2>&1
}

# reflect USER DAY PRINCIPLES WORKED SHARE: "Efter vagten" without a trial action.
reflect() {
  printf '%s\n' /refleksion 1 "En situation fra vagten ($2)." \
    "Hun ville selv bestemme, hvornår hun skulle op." "$3" 4 "1 3" "$4" "spring over" nej "$5" |
    chat "$1" staff "$2"
}

# reflect_trying USER DAY PRINCIPLES WORKED WHAT DUE: "Efter vagten" with a trial action
# (on principles 1 and 4, due on DUE, like 14/10), and what worked shared.
reflect_trying() {
  printf '%s\n' /refleksion 1 "En situation fra vagten ($2)." "spring over" "$3" 4 "1 3" "$4" \
    "spring over" ja "$5" "1 4" "$6" "spring over" ja |
    chat "$1" staff "$2"
}

# follow_up USER DAY OUTCOME: the first open trial action looked back on: tried, what
# happened, then OUTCOME (1 continue, 3 drop, 4 done); not shared.
follow_up() {
  printf '%s\n' "/opfoelgning 1" ja "Det gik mest, som vi havde tænkt." "$3" nej |
    chat "$1" staff "$2"
}

# check_in USER DAY HOPE [IDEA]: the citizens' check-in, the hope (and the idea for the
# staff, if any) shared with the staff.
check_in() {
  printf '%s\n' /refleksion 1 "$3" "1 3" "spring over" "1 2" 4 5 "${4:-spring over}" ja nej |
    chat "$1" citizen "$2"
}

# Three citizens check in on DAY; Karen with IDEA, if given.
check_ins() {
  check_in ida "$1" "At gå en tur hver dag"
  check_in jens "$1" "At lave mad til min søster"
  check_in karen "$1" "At få ro om aftenen" "${2:-spring over}"
}

# Week 41: Lis makes the group and gives out the codes.
# Each person says yes to their answers being stored (/samtykke) when they start.
printf '%s\n' '/nygruppe Bostedet Lyngen' /samtykke 1 | chat lis staff 2026-10-05
codes=$(grep -oE '[A-Z0-9]{5}-[A-Z0-9]{5}' "$out/lis.txt")
staff_code=$(sed -n 1p <<<"$codes")
citizen_code=$(sed -n 2p <<<"$codes")
for who in anna bent carl; do
  printf '%s\n' "/deltag $staff_code" /samtykke 1 | chat "$who" staff 2026-10-05
done
for who in ida jens karen; do
  printf '%s\n' "/deltag $citizen_code" /samtykke 1 | chat "$who" citizen 2026-10-05
done
printf '%s\n' '/navn Anna' | chat anna staff 2026-10-05

reflect_trying anna 2026-10-06 "4 1" "Jeg spurgte først, hvad hun selv ville." \
  "Spørg hver morgen, hvad hun vil i dag" 12/10
reflect bent 2026-10-07 "4" "Vi tog os god tid ved morgenmaden." nej
reflect carl 2026-10-08 "2 4" "Han fik lov at vælge turen selv." ja
check_ins 2026-10-08 "At vi hører musik sammen i stuen om fredagen"

# Week 42.
follow_up anna 2026-10-12 1
reflect anna 2026-10-12 "1 2" "Hun viste mig selv vej til bageren." ja
reflect_trying bent 2026-10-13 "4 8" "Vi brugte hendes egne ord på tavlen." \
  "Skriv dagens plan med hendes egne ord" 20/10
reflect carl 2026-10-14 "2" "Han ringede selv til sin søster." nej
check_ins 2026-10-14

# Friday of week 42: the learning meeting. The agenda, then a group trial action on
# principle 3 to follow up on 23 October, principle 3 as the focus, and Karen's idea taken
# up (Lis sees only the idea, not who gave it); then save.
printf '%s\n' /moede 1 'Spis aftensmad sammen med beboerne én gang om ugen' 3 23/10 2 3 \
  3 1 'Vi sætter musik på i stuen hver fredag efter frokost. Alle må vælge en sang.' 4 |
  chat lis staff 2026-10-16

# Weeks 43-46 go on; the staff hear of the meeting at their next message, and Karen of
# what became of her idea.
day=2026-10-19
for week in 43 44 45 46; do
  # Bent drops his trial action in week 43; Carl's is done in week 45.
  case $week in
    43) follow_up bent "$day" 3 ;;
    45) follow_up carl "$day" 4 ;;
  esac
  reflect anna "$day" "3 4" "Vi spiste sammen, og hun fortalte om sin familie (uge $week)." ja
  reflect bent "$day" "3" "Naboen kom forbi til kaffe (uge $week)." nej
  if [ "$week" = 44 ]; then
    reflect_trying carl "$day" "1 3" "Han inviterede selv sin ven med." \
      "Spørg, hvem han gerne vil have med" 4/11
  else
    reflect carl "$day" "1 3" "Han inviterede selv sin ven med (uge $week)." ja
  fi
  # In week 45 only two citizens check in: below the floor, nothing about them is shown.
  if [ "$week" = 45 ]; then
    check_in ida "$day" "At gå en tur hver dag"
    check_in jens "$day" "At lave mad til min søster"
  else
    check_ins "$day"
  fi
  day=$(date -u -d "$day + 7 days" +%F)
done

"$bin" digest --group "Bostedet Lyngen" --week 2026-W46 --data "$data" --config "$config" \
  --png "$out/digest.png" >"$out/digest.txt"
echo "transcripts, digest.txt and digest.png are in $out"
