# Consent, /mydata and /forget. Citizens read all of it: short sentences, everyday words.

consent-citizen =
    Before we start: may I save your answers?
    I save your answers and the things you want to try.
    The staff who run your group see only numbers.
    For example how many have answered.
    They see your own words only if you say yes to sharing them.
    They never see your name.
    I delete your answers after { $months } months.
    With /mydata you see all I have saved about you.
    With /forget you delete all of it.
    Each week the staff get a digest.
    Once it is sent, I cannot take it back.
    It is fine to say no. It changes nothing about the help you get.
    If you say no, you can still answer my questions.
    But then I keep nothing of what you write.
    May I save your answers?
consent-staff =
    Your answers are saved so you can see them again and the group can learn from them. Facilitators see figures and the trial actions you make, not your answers – only those you choose to share. Answers are deleted after { $months } months. /mydata shows all about you, /forget deletes it. Is that all right?
# For a person in no group: nobody else sees anything yet. Joining says what the group sees.
consent-alone =
    Before we start: may I save your answers?
    I save them so you can see them again.
    You are not in a group, so nobody else sees them.
    If you join a group later, I tell you what the group can see.
    I delete your answers after { $months } months.
    With /mydata you see all I have saved about you.
    With /forget you delete all of it.
    It is fine to say no. It changes nothing about the help you get.
    If you say no, you can still answer my questions.
    But then I keep nothing of what you write.
    May I save your answers?
consent-yes = Yes, save my answers
consent-no = No, save nothing
consent-thanks = Thank you. Your answers will be saved.
consent-declined = That is fine. You can answer anyway. I keep nothing of what you write here.
consent-withdrawn = I will not save more answers from you now. What you answered before is still saved. Type /forget if you want to delete it.
consent-still-no = I do not save your answers. You can change your mind with /consent.
consent-changed = The text about what I save has changed. Please read it and answer again.
consent-status-yes = You said yes to saving your answers on { $date }.
consent-status-no = You have not said yes to saving your answers.

forget-confirm = Do you want to delete all I have about you? Your answers, your trial actions, your groups and your reminder. This cannot be undone. The staff may already have had the weekly digest. I cannot take that back.
forget-yes = Yes, delete all
forget-no = No, keep it
forget-done = All about you is deleted now. If you write again, we start from the very start.
forget-cancelled = Good. I keep it all.

mydata-intro = Here is all I have saved about you.
mydata-consent-yes = You said yes to saving your answers on { $date }.
mydata-consent-no = You have not said yes to saving your answers.
mydata-groups = { $count ->
    [0] You are not in a group.
    [one] You are in one group:
   *[other] You are in { $count } groups:
}
mydata-group = – { $group } ({ $role })
mydata-role-facilitator = facilitator
mydata-role-staff = staff
mydata-role-citizen = citizen
mydata-name = Your name by your trial actions and what you share: { $name }
mydata-reminder = I remind you to answer { $when }.
mydata-answers = { $count ->
    [0] You have no saved answers.
    [one] You have one saved answer:
   *[other] You have { $count } saved answers:
}
mydata-answer = { $date } · { $dialogue }: { $answer }
mydata-trial-shared = { $line } (shared with the staff without your name)
mydata-answer-shared = { $date } · { $dialogue }: { $answer } ({ $role ->
    [citizen] shared with the staff without your name
   *[staff] shared with your group
})
mydata-trials = { $count ->
    [0] You have no trial actions.
    [one] Your trial action – a small thing you chose to try:
   *[other] Your { $count } trial actions – small things you chose to try:
}
mydata-file = The same is in the file here, so you can keep it.
mydata-yes = yes
mydata-no = no
mydata-skipped = skipped
