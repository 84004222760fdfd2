# Ugeopsamlingen: facilitatorernes overblik over én gruppes uge til læringsloop-mødet.
# Den skal kunne læses på et minut. Tal er Fluent-tal: { $count -> [one] … *[other] … }
# vælger ental og flertal. Borgere nævnes aldrig ved navn.

digest-title = Ugens overblik · { $group }
digest-week-in-month = Uge { $week } · { $first-day }.–{ $last-day }. { $month } { $year }
digest-week-across-months = Uge { $week } · { $first-day }. { $first-month } – { $last-day }. { $last-month } { $year }
digest-week-across-years = Uge { $week } · { $first-day }. { $first-month } { $first-year } – { $last-day }. { $last-month } { $last-year }
digest-quiet = En stille uge: ingen samtaler og ingen prøvehandlinger. Det sker, og det er helt i orden. Måske kan I på næste møde tale om, hvad der gør det let at tage fem minutter efter en vagt.

## Deltagelse
digest-reflections = Medarbejdere: { $count ->
    [0] ingen samtaler
    [one] 1 samtale
   *[other] { $count } samtaler
} (sidste uge { $last-week })
digest-check-ins = Borgere: { $count ->
    [0] ingen samtaler
    [one] 1 samtale
   *[other] { $count } samtaler
} (sidste uge { $last-week })
digest-check-ins-last-week-hidden = Borgere: { $count ->
    [0] ingen samtaler
    [one] 1 samtale
   *[other] { $count } samtaler
} (sidste uge: for få borgere til at vise tallet)

## Linjer for trin med en `digest`-etiket
digest-line-scale = { $label }: { $count } af { $total }
digest-line-yes-no = { $label }: { $count } af { $total } svarede ja
digest-line-choice = { $label }: { $options }
digest-option-count = { $option } ({ $count })

## Principperne
digest-principles-heading = Principperne i medarbejdernes samtaler
digest-principle = • { $name }: { $count ->
    [one] 1 samtale
   *[other] { $count } samtaler
}
digest-principles-missing = Ikke med i nogen samtale: { $names }
digest-principles-all = Alle otte principper var med i medarbejdernes samtaler.

## Prøvehandlinger
digest-trials-heading = Prøvehandlinger
digest-trials-new = { $count ->
    [one] 1 ny prøvehandling:
   *[other] { $count } nye prøvehandlinger:
}
digest-trials-no-new = Ingen nye prøvehandlinger i denne uge.
# $by: named (en medarbejder, der har sagt ja til at vise sit fornavn) eller staff.
# $version: adjusted, når den er en ny udgave af en ændret prøvehandling; ellers first.
digest-trial = • »{ $what }«{ $by ->
        [named] {" "}– { $name }
       *[staff] {""}
    }{ $principle-count ->
        [0] {""}
       *[other] {" "}({ $principles })
    }{ $version ->
        [adjusted] {" "}· ny udgave
       *[first] {""}
    }
digest-trial-citizen = { $shared ->
        [yes] • »{ $what }« – en borger
       *[no] • En borgers prøvehandling
    }{ $principle-count ->
        [0] {""}
       *[other] {" "}({ $principles })
    }
digest-trials-changed = Det skete i ugen – { $states }
digest-trial-state-count = { $state }: { $count }
digest-trials-overdue = { $count ->
    [one] 1 prøvehandling venter på opfølgning og er over tiden.
   *[other] { $count } prøvehandlinger venter på opfølgning og er over tiden.
}

## Borgernes stemme
digest-citizens-heading = Borgernes stemme
digest-staff-later = Medarbejdernes tal for ugen indtil nu kommer, når mindst { $floor } medarbejdere har svaret. Det beskytter den enkelte kollegas svar.
digest-citizens-later = Borgernes tal og citater kommer, når ugen er slut.
digest-citizens-hidden = Tal og citater fra borgere vises kun, når mindst { $floor } { $floor ->
    [one] borger
   *[other] borgere
} har svaret i ugen. Det beskytter dem, så ingen kan genkendes.
digest-citizens-people = { $count ->
    [0] Ingen borgere svarede i denne uge.
    [one] 1 borger svarede i denne uge.
   *[other] { $count } borgere svarede i denne uge.
}
digest-ideas-heading = Borgernes idéer til, hvad I kunne gøre bedre, delt uden navn
digest-ideas-more = { $count ->
    [one] … og 1 idé mere.
   *[other] … og { $count } idéer mere.
}
digest-quotes-heading = Borgernes egne ord, delt uden navn
digest-quote = • »{ $text }«
digest-quotes-more = { $count ->
    [one] … og 1 svar mere.
   *[other] … og { $count } svar mere.
}

## Det, gruppen besluttede på sit læringsmøde
digest-group-trials-heading = Gruppens prøvehandlinger fra læringsmødet
digest-group-trial = • »{ $what }« – opfølgning { $date }
digest-followed-up = • Fulgt op: »{ $what }« – { $state }

## Det, personalet har valgt at dele med gruppen
digest-learned-heading = Delt med gruppen: det, der virkede, og erfaringer med prøvehandlinger
digest-learned = • »{ $text }«{ $by ->
        [named] {" "}– { $name }
       *[staff] {""}
    }
digest-learned-more = { $count ->
    [one] … og 1 svar mere.
   *[other] … og { $count } svar mere.
}

## Ugens overblik som billede: de seneste 8 uger
digest-chart-title = { $group } · { $weeks ->
    [one] uge { $last }
   *[other] uge { $first }–{ $last }
}
digest-chart-week = { $week }
digest-chart-week-axis = Uge
digest-chart-activity = Personalets samtaler og borgernes samtaler
digest-chart-reflections = Personalets samtaler
digest-chart-check-ins = Borgernes samtaler
digest-chart-hidden = – betyder: for få borgere svarede, så tallet er skjult.
digest-chart-principles = Principperne i personalets samtaler
digest-chart-trials = Prøvehandlinger: nye og hvad der skete med dem
digest-chart-new = ny
digest-chart-alt = Ugens overblik som billede for { $group }, { $weeks ->
        [one] uge { $last }.
       *[other] uge { $first }–{ $last }.
    }
    Personalets samtaler pr. uge: { $reflections }.
    Borgernes samtaler pr. uge: { $check-ins } (– betyder: for få borgere til at vise tallet).
    { $chosen ->
        [0] Ingen principper blev valgt i perioden.
       *[other] Mest valgte princip: { $most }. Mindst valgte: { $least }.
    }
    Prøvehandlinger i perioden – nye: { $new }, prøvet: { $tried }, fortsætter: { $kept }, ændret: { $adjusted }, droppet: { $dropped }, klaret: { $done }.

## Lister: »a, b og c« og »a · b · c«
digest-list-two = { $first } og { $last }
digest-list-more = { $first }, { $next }
digest-list-dot = { $first } · { $next }

## Forslaget til fokus i den kommende uge
digest-focus-chosen = Fokus i den kommende uge: »{ $principle }«. Det valgte gruppen på sit læringsmøde.
digest-focus-dropped = Forslag til fokus i den kommende uge: »{ $principle }«. I den forløbne uge blev { $count } prøvehandlinger under dette princip opgivet.
digest-focus-least = Forslag til fokus i den kommende uge: »{ $principle }«. { $count ->
    [0] Princippet er ikke valgt i nogen samtale de seneste to uger.
    [one] Princippet er kun valgt i én samtale de seneste to uger.
   *[other] Princippet er valgt i færrest samtaler de seneste to uger ({ $count }).
}

## Dagsordenen til læringsmødet (/moede)
agenda-title = Læringsmøde · { $group }
agenda-period = { $weeks ->
    [one] Perioden: uge { $last } indtil i dag.
   *[other] Perioden: uge { $first }–{ $last } indtil i dag.
}
agenda-first-meeting = Det er første gang, gruppen holder læringsmøde med mig.
agenda-last-meeting = Sidste møde var { $date }. Det besluttede I:
agenda-last-focus = • Fokus: { $principle }
agenda-learned-heading = Det har I delt med gruppen:
agenda-learned-none = Ingen har delt noget i perioden.
agenda-trials-heading = Prøvehandlinger at tale om
agenda-trials-no-new = Ingen nye prøvehandlinger i perioden.
agenda-trials-changed = Det skete i perioden – { $states }
agenda-untouched = { $count ->
    [one] Ingen valgte dette princip i perioden: { $names }.
   *[other] Principper, som ingen har valgt i perioden: { $names }.
}
agenda-all-touched = Alle otte principper er valgt i perioden.
agenda-citizens-heading = Borgernes stemme
agenda-citizens = { $count ->
    [one] Borgere: 1 samtale i perioden.
   *[other] Borgere: { $count } samtaler i perioden.
}
agenda-ideas-heading = Borgernes idéer. Vælg »Tag en idé fra borgerne op« i menuen, så får borgeren besked om, hvad I vil gøre:
agenda-idea = { $number }. »{ $text }«
agenda-citizens-hidden = For få borgere har svaret til, at noget kan vises.
agenda-citizens-later = Det, borgerne har sagt i denne uge, kommer med i ugens overblik, når ugen er slut.
