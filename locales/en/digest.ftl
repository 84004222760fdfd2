# The weekly digest: the facilitators' view of one group's week, for the learning-loop
# meeting. It must be readable in a minute. Numbers are Fluent numbers: { $count -> [one] …
# *[other] … } picks singular or plural. Citizens are never named.

digest-title = Weekly digest · { $group }
digest-week-in-month = Week { $week } · { $first-day }–{ $last-day } { $month } { $year }
digest-week-across-months = Week { $week } · { $first-day } { $first-month } – { $last-day } { $last-month } { $year }
digest-week-across-years = Week { $week } · { $first-day } { $first-month } { $first-year } – { $last-day } { $last-month } { $last-year }
digest-quiet = A quiet week: no reflections and no trial actions. That happens, and it is quite all right. At the next meeting you might talk about what makes it easy to take five minutes after a shift.

## Taking part
digest-reflections = { $count ->
    [0] No staff reflections
    [one] 1 staff reflection
   *[other] { $count } staff reflections
} (last week { $last-week })
digest-check-ins = { $count ->
    [0] No citizen check-ins
    [one] 1 citizen check-in
   *[other] { $count } citizen check-ins
} (last week { $last-week })
digest-check-ins-last-week-hidden = { $count ->
    [0] No citizen check-ins
    [one] 1 citizen check-in
   *[other] { $count } citizen check-ins
} (last week: too few citizens to show the number)

## Lines for steps with a `digest` label
digest-line-scale = { $label }: { $count } of { $total }
digest-line-yes-no = { $label }: { $count } of { $total } said yes
digest-line-choice = { $label }: { $options }
digest-option-count = { $option } ({ $count })

## The principles
digest-principles-heading = The principles in this week's reflections
digest-principle = • { $name }: { $count ->
    [one] 1 reflection
   *[other] { $count } reflections
}
digest-principles-missing = Not in any reflection: { $names }
digest-principles-all = All eight principles were in this week's reflections.

## Trial actions
digest-trials-heading = Trial actions
digest-trials-new = { $count ->
    [one] 1 new trial action:
   *[other] { $count } new trial actions:
}
digest-trials-no-new = No new trial actions this week.
# $by: named (a staff member who allowed their first name to be shown) or staff.
# $version: adjusted when it is a new version of an adjusted trial action; otherwise first.
digest-trial = • “{ $what }”{ $by ->
        [named] {" "}– { $name }
       *[staff] {""}
    }{ $principle-count ->
        [0] {""}
       *[other] {" "}({ $principles })
    }{ $version ->
        [adjusted] {" "}· new version
       *[first] {""}
    }
digest-trial-citizen = { $shared ->
        [yes] • “{ $what }” – a citizen
       *[no] • A citizen's trial action
    }{ $principle-count ->
        [0] {""}
       *[other] {" "}({ $principles })
    }
digest-trials-changed = This week – { $states }
digest-trial-state-count = { $state }: { $count }
digest-trials-overdue = { $count ->
    [one] 1 trial action is overdue for a follow-up.
   *[other] { $count } trial actions are overdue for a follow-up.
}

## The citizens' voice
digest-citizens-heading = The citizens' voice
digest-staff-later = The staff's figures for the week so far come when at least { $floor } staff members have answered. This protects each colleague's answers.
digest-citizens-later = The citizens' figures and quotes come when the week is over.
digest-citizens-hidden = Citizens' figures and quotes are shown only when at least { $floor } { $floor ->
    [one] citizen has
   *[other] citizens have
} answered in the week. This protects them, so no one can be recognised.
digest-citizens-people = { $count ->
    [0] No citizens answered this week.
    [one] 1 citizen answered this week.
   *[other] { $count } citizens answered this week.
}
digest-ideas-heading = Citizens' ideas for what you could do better, shared without names
digest-ideas-more = { $count ->
    [one] … and 1 more idea.
   *[other] … and { $count } more ideas.
}
digest-quotes-heading = In their own words, shared without names
digest-quote = • “{ $text }”
digest-quotes-more = { $count ->
    [one] … and 1 more answer.
   *[other] … and { $count } more answers.
}

## What the group decided at its learning meeting
digest-group-trials-heading = The group's trial actions from the learning meeting
digest-group-trial = • “{ $what }” – follow-up { $date }
digest-followed-up = • Followed up: “{ $what }” – { $state }

## What staff chose to share with the group
digest-learned-heading = Shared with the group: what worked, and experience with trial actions
digest-learned = • “{ $text }”{ $by ->
        [named] {" "}– { $name }
       *[staff] {""}
    }
digest-learned-more = { $count ->
    [one] … and 1 more answer.
   *[other] … and { $count } more answers.
}

## The weekly overview as a picture: the last 8 weeks
digest-chart-title = { $group } · { $weeks ->
    [one] week { $last }
   *[other] weeks { $first }–{ $last }
}
digest-chart-week = { $week }
digest-chart-week-axis = Week
digest-chart-activity = Staff's conversations and citizens' conversations
digest-chart-reflections = Staff's conversations
digest-chart-check-ins = Citizens' conversations
digest-chart-hidden = – means: too few citizens answered, so the figure is hidden.
digest-chart-principles = The principles in staff's conversations
digest-chart-trials = Trial actions: new ones and what became of them
digest-chart-new = new
digest-chart-alt = The weekly overview as a picture for { $group }, { $weeks ->
        [one] week { $last }.
       *[other] weeks { $first }–{ $last }.
    }
    Staff's conversations per week: { $reflections }.
    Citizens' conversations per week: { $check-ins } (– means: too few citizens to show the figure).
    { $chosen ->
        [0] No principles were chosen in the period.
       *[other] Principle chosen most: { $most }. Chosen least: { $least }.
    }
    Trial actions in the period – new: { $new }, tried: { $tried }, kept: { $kept }, changed: { $adjusted }, dropped: { $dropped }, done: { $done }.

## Lists: "a, b and c" and "a · b · c"
digest-list-two = { $first } and { $last }
digest-list-more = { $first }, { $next }
digest-list-dot = { $first } · { $next }

## The suggested focus for the coming week
digest-focus-chosen = Focus for the coming week: “{ $principle }”. The group chose it at its learning meeting.
digest-focus-dropped = A focus for the coming week: “{ $principle }”. This week { $count } trial actions under this principle were given up.
digest-focus-least = A focus for the coming week: “{ $principle }”. { $count ->
    [0] The principle was chosen in no reflection in the last two weeks.
    [one] The principle was chosen in only one reflection in the last two weeks.
   *[other] The principle was chosen in the fewest reflections in the last two weeks ({ $count }).
}

## The agenda of the learning meeting (/meeting)
agenda-title = Learning meeting · { $group }
agenda-period = { $weeks ->
    [one] The period: week { $last } until today.
   *[other] The period: weeks { $first }–{ $last } until today.
}
agenda-first-meeting = This is the first time the group holds a learning meeting with me.
agenda-last-meeting = The last meeting was { $date }. You decided:
agenda-last-focus = • Focus: { $principle }
agenda-learned-heading = What you shared with the group:
agenda-learned-none = Nobody shared anything in the period.
agenda-trials-heading = Trial actions to talk about
agenda-trials-no-new = No new trial actions in the period.
agenda-trials-changed = In the period – { $states }
agenda-untouched = { $count ->
    [one] One principle nobody chose in the period: { $names }.
   *[other] Principles nobody chose in the period: { $names }.
}
agenda-all-touched = All eight principles were chosen in the period.
agenda-citizens-heading = The citizens' voice
agenda-citizens = { $count ->
    [one] Citizens: 1 conversation in the period.
   *[other] Citizens: { $count } conversations in the period.
}
agenda-ideas-heading = Citizens' ideas. Choose “Take up an idea from the citizens” in the menu, and the citizen hears what you will do:
agenda-idea = { $number }. “{ $text }”
agenda-citizens-hidden = Too few citizens answered for anything to be shown.
agenda-citizens-later = What citizens said this week comes in the weekly overview once the week is over.
