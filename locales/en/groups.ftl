# Groups, roles, reminders and the name shown to facilitators. Citizens read most of these:
# short sentences, everyday words.

not-allowed = Sorry, you cannot do that. Only the people who run a group can. Ask them if you need it.
role-facilitator = facilitator
role-staff = staff
role-citizen = citizen
newgroup-how = Write the name of the group after the command, like this: /newgroup Team North
newgroup-name-long = That name is { $length } characters long. There is room for { $max }. Please pick a shorter name.
newgroup-done = The group “{ $name }” is ready. You are its facilitator.
codes =
    Give these codes to the people who join:
    Staff: { $staffcode }
    Citizens: { $citizencode }
    They type /join and the code.
codes-expire = The codes work until { $date }.
codes-no-expiry = The codes work until you make new ones with /newcodes.
newcodes-done = New codes for “{ $name }”. The old codes no longer work.
newcodes-days = Type the number of days the codes should work, from 1 to { $max }. Like this: /newcodes 14
group-choose-first = You run more than one group. Choose one first with /group and a number.
group-unavailable = I cannot find that group right now. Please try again later.
join-how = Type /join and the code you got, like this: /join ABCDE-FGHJK
join-wrong = That code does not work. Maybe a letter is wrong, or the code is too old. Check it, or ask for a new one.
join-wrong-paused = That code does not work. You have tried many codes. Please wait { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
} and try again.
join-paused = Please wait { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
} before you try a code again.
join-done = Welcome to “{ $name }”. You are in the group as { $role }.
join-sees-staff = The group's facilitators see figures and the trial actions you make. They do not see your answers.
join-sees-citizen = The staff who run the group see only numbers. They see your own words only if you say yes to share them. Your name is never shown.
join-already = You are already in “{ $name }”. You joined as { $role }.
groups-none = You are not in a group yet. Type /join and a code to join one.
groups-header = You are in:
groups-line = { $number }. { $name } ({ $role })
groups-line-current = { $number }. { $name } ({ $role }) – what you say counts here
groups-choose-hint = Type /group and a number to choose where your answers count.
group-ask = Which group should your answers count for?
group-set = Your answers now count for “{ $name }”.
group-busy = Please finish this talk first, or type /stop.
members-header = { $count ->
    [one] “{ $name }” has one member:
   *[other] “{ $name }” has { $count } members, in the order they joined:
}
members-line = { $number }. { $role ->
        [facilitator] Facilitator
        [staff] Staff member
       *[citizen] Citizen
    }, since week { $week } of { $year }
members-line-named = { $number }. { $name } ({ $role ->
        [facilitator] facilitator
        [staff] staff member
       *[citizen] citizen
    }), since week { $week } of { $year }
members-you = You
members-how = Type /remove and a number to take someone out of the group. Type /facilitator and a number to make a staff member a facilitator, or a facilitator staff again.
members-linked = { $count ->
    [one] One group chat gets the weekly digest.
   *[other] { $count } group chats get the weekly digest.
} Type /unlinkdigest to see them.
members-no-such = Type a number from 1 to { $count }, as in /members.
members-changed = The list changed meanwhile, so I did nothing. Type /members to see it as it is now.
remove-how = Type /remove and the member's number from /members, like this: /remove 3
remove-self = To leave the group yourself, type /leave.
remove-confirm = Take number { $number } (in the group since week { $week } of { $year }) out of the group? What they answered before stays in the past weeks. They get a message that they are no longer in the group.
remove-yes = Yes, take them out
remove-no = No
remove-done = Number { $number } is no longer in the group. Their answers no longer count here from now on.
remove-cancelled = Good. Nobody was taken out.
facilitator-how = Type /facilitator and the member's number from /members, like this: /facilitator 2
facilitator-citizen = Citizens take part without a name, so they cannot be facilitators here.
facilitator-last = The group needs a facilitator. Make someone else a facilitator first.
facilitator-added = Number { $number } is now a facilitator of “{ $name }” and gets the weekly digest.
facilitator-removed = Number { $number } is no longer a facilitator of “{ $name }”. They stay in the group as staff.
linked-none = No group chat gets the weekly digest of “{ $name }”.
linked-header = These chats get the weekly digest of “{ $name }”:
linked-line = { $number }. { $title } ({ $platform ->
        [matrix] Matrix room
       *[telegram] Telegram group
    }), linked on { $date } { $byyou ->
        [yes] by you
       *[no] by another facilitator
    }
linked-untitled = A chat without a name
linked-how = Type /unlinkdigest and a number to stop a chat getting the weekly digest.
linked-no-such = Type a number from 1 to { $count }, as in the list you see with /unlinkdigest.
unlinked-done = Chat number { $number } no longer gets the weekly digest.
leave-which = Which group do you want to leave? Type /leave and its number.
leave-last-facilitator = You are the only facilitator of “{ $name }”. Make someone else a facilitator first: type /members to see who is in the group.
leave-confirm = Do you want to leave “{ $name }”? What you said before still counts in the weeks that have passed. To delete everything about you, type /forget.
leave-yes = Yes, leave
leave-no = No, stay
leave-done = You have left “{ $name }”. From now on your answers do not count there.
leave-cancelled = Good. You are still in the group.
member-removed = You are no longer in “{ $name }”. The people who run the group decided it. You may ask them why. What you said before is still saved. Type /mydata to see it, or /forget to delete everything.
member-now-facilitator = You are now a facilitator of “{ $name }”. You will get the weekly digest. Type /help to see what you can do.
member-now-staff = You are no longer a facilitator of “{ $name }”. You are still in the group as staff.
name-how = Your trial actions and what you share are in the weekly overview without your name. If you want your first name there, type /name and your first name, e.g. /name Anna. Type /name off to hide it again.
name-current = The weekly overview shows { $name } by your trial actions and what you share. Type /name off to hide it.
name-set = The weekly overview now shows { $name } by your trial actions and what you share – also by what you shared before. Type /name off to hide it again.
name-removed = Your name is hidden now. From now on your trial actions and what you share are in the weekly overview without a name. Overviews already sent may still show it.
remind-how = I can remind you to start a talk. Type /remind and a time, like /remind weekdays 22:15 or /remind 21:00. Type /remind off to stop it.
remind-bad-time = That time does not exist. Use hours from 0 to 23 and minutes from 0 to 59, like 22:15.
remind-set = Good. I will remind you { $when }.
remind-current = I remind you { $when }. Type /remind off to stop it.
remind-removed = I will not remind you any more.
remind-every-day = every day
remind-weekdays = on weekdays
remind-weekend = at the weekend
remind-when = { $days } at { $time }
follow-up-offer = Today you wanted to try this: “{ $what }”. Shall we follow up on how it went? It takes two minutes.
follow-up-offer-busy = When you are done here: it is time to follow up on “{ $what }”. Type /followup { $number }.
follow-up-now = Follow up now
reminder = Time to look back on your day? Type /reflect when you are ready.
reminder-busy = A reminder: you have a talk going. Answer when you are ready.
reminder-start = Start a talk
trial-sign = How will you know whether it works?
trials-group-header = { $count ->
    [one] One open trial action in “{ $name }”:
   *[other] { $count } open trial actions in “{ $name }”:
}
trials-group-line = • { $what } – { $state } – { $date }
help-facilitator = For facilitators:
codes-expired = The codes no longer work. Make new ones with /newcodes.
name-citizen = Your name is never shown. There is nothing you need to do.
stopped-trial-unfinished = The trial action was not finished, so it is not saved. You can make it again with /try.
follow-up-sign = You wrote that you would know whether it worked when: { $sign }
follow-up-offer-again = You wanted to try this: “{ $what }”. Shall we follow up on how it went? It takes two minutes.
remind-on-days = every { $days }
time-of-day = { $hour }:{ $minute }
list-and = { $rest } and { $last }

## The learning meeting (/meeting): the facilitator writes down what the group decided
meeting-menu = What did the group decide? Choose a number.
    Decided so far: { $trials ->
        [0] no trial action for the group
        [one] 1 trial action for the group
       *[other] { $trials } trial actions for the group
    } · focus: { $focus }{ $ideas ->
        [0] {""}
        [one] {" "}· 1 citizen's idea taken up
       *[other] {" "}· { $ideas } citizens' ideas taken up
    }.
meeting-no-focus = not chosen
meeting-add-trial = Add a trial action for the group
meeting-choose-focus = Choose the focus until the next meeting
meeting-follow-up = Follow up on “{ $what }”
meeting-take-idea = Take up an idea from the citizens
meeting-idea-which = Which idea will you take up? Choose a number.
meeting-idea-note = What will you do with the idea “{ $idea }”? Keep it short and in everyday words. The citizen who gave it will read your answer. You will not be told who that is.
meeting-idea-added = Written down. The citizen is told once the meeting is saved.
meeting-save = Save, and let the group's staff know
meeting-cancel = Stop without saving
meeting-trial-what = What will the group try? Keep it short and concrete – one small change to your practice, without names or CPR numbers.
meeting-trial-principles = Which principles does the trial action belong to? Type one or more numbers, like 2 4.
meeting-trial-when = When will you follow it up? The date of the next learning meeting is a good choice.
meeting-trial-added = Written down: “{ $what }”. You follow it up { $date }.
meeting-focus = Which principle will the group focus on until the next meeting?
meeting-follow-up-ask = How did “{ $what }” go?
meeting-trials-full = A meeting can have at most { $count } trial actions for the group. Keep them small and few.
meeting-cancelled = The meeting is not saved.
meeting-nothing-yet = There is nothing to save yet. Add a trial action, choose a focus or follow up – or stop without saving.
meeting-not-yours = You are no longer a facilitator of the group, so the meeting is not saved.
meeting-saved = The meeting is saved. I will tell the group's staff what you decided.

## Sent to staff when their group has held a learning meeting
meeting-news = News from the learning meeting in { $group }:
meeting-news-trial = • The group will try: “{ $what }”. You follow it up { $date }.
meeting-news-focus = • Focus until the next meeting: { $principle }.
idea-taken-up = You suggested: “{ $idea }”
    The staff talked about it at a meeting. They wrote what they will do: “{ $note }”
    Thank you for your idea.
meeting-news-stop = If you do not want news about the learning meetings, type /news off.
news-on = You get news when your group has held a learning meeting. Type /news off to stop.
news-off = You no longer get news about your group's learning meetings. Type /news on to get them again.
news-is-on = You get news about your group's learning meetings. Type /news off to stop.
news-is-off = You do not get news about your group's learning meetings. Type /news on to get them.
