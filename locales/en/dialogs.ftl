# Dialogue texts (English). The ids are named in dialogs/*.toml.
# The engine provides its own texts for progress, re-asks, yes/no,
# principle names and the trial-action sub-questions.

## efter-vagten: reflection after the shift (staff)

efter-vagten-title = After the shift
efter-vagten-intro = Thank you for today. Let us take 3-5 minutes to look back on the shift – short and concrete, starting from one situation. There are no wrong answers.
efter-vagten-situation = Think of one concrete situation from the shift that you would like to look at more closely. What happened? Write briefly who was there and what was said and done – without names or CPR numbers.
efter-vagten-citizen-view = What did the citizen want in the situation? And how do you think the citizen experienced it?
efter-vagten-touched = Which of the eight principles were at play in the situation? Choose one or more.
efter-vagten-how = How do you think the situation went – for the citizen and for you?
efter-vagten-how-low = very badly
efter-vagten-how-high = very well
# The weekly digest: how many answered 4 or 5.
efter-vagten-digest-how = The situation went well
efter-vagten-support = Thank you for sharing a hard situation. It is quite all right that it stays with you. We can learn from the hard situations too – together. What would help you right now? Perhaps a talk with a colleague or your manager.
efter-vagten-resources = Something nearly always works – even on a hard day. Whose resources helped make things work? Choose as many as you like.
efter-vagten-opt-citizen = The citizen's own resources
efter-vagten-opt-network = Network and communities
efter-vagten-opt-ours = Our professional skill and effort
efter-vagten-opt-other = Something else
efter-vagten-worked = What exactly was it that worked? Describe it so that a colleague could do the same tomorrow.
efter-vagten-different = What could you or the team do differently next time? Think in small steps.
efter-vagten-commit = Would you like to make a trial action? A trial action is a small, concrete change to practice that you try out and then follow up on.
efter-vagten-trial = Good! Keep it small and concrete – something you can try within a week or two. Feel free to build on what already works.
efter-vagten-share = May I share your answer about what worked with your group? It goes into the weekly overview, so you can learn from it together. Your first name is shown only if you gave it with /name. Do not write names of citizens. If you do not answer, I do not share it.
efter-vagten-outro = Thank you for your reflection. What you notice in everyday work makes your practice better – for the citizens and for you. Enjoy your time off.

## princip: one principle in depth (staff)

princip-title = One principle in depth
princip-intro = Here you take a closer look at one of the eight principles of Citizen at the Helm. You get one question and a short rating. Think of concrete situations from the past week, and write without citizens' names.
princip-choose = Which principle would you like to reflect on today?
princip-rate = How well do you think we have put this principle into practice over the past week?
princip-rate-low = not at all
princip-rate-high = very much
princip-outro = Thank you for your reflection. Feel free to take it to your team – perhaps there is a trial action hiding in it.

# 1. Start from the citizen's hopes, wishes and dreams.
princip-1-a = When did you last hear a citizen talk about a hope or a dream? What did you do with what they told you?
princip-1-b = Think of a citizen you support. What do you know about what they dream of – and how can that be seen in your everyday life together?
princip-1-c = When was it the citizen's own wishes that steered what you did together this week – and when was it something else?

# 2. Focus on the citizen's resources.
princip-2-a = Which resource in a citizen have you noticed recently – something they can do, know or care about? How could it be given more room?
princip-2-b = Describe a situation where you took a step back so that the citizen could manage it themselves. What happened?
princip-2-c = When did you end up talking more about a citizen's problems than about their possibilities? What could turn the conversation around?

# 3. Involve the citizen's network and ordinary communities.
princip-3-a = Who in a citizen's network – family, friends, neighbours – could play a bigger part? What would it take, and what does the citizen say?
princip-3-b = Which communities outside the service – a club, a workshop, a café, a sports team – could make sense for a citizen you know?
princip-3-c = How has the cooperation with relatives been this week? What worked, and what was hard?

# 4. Meet citizens with openness, trust and respect.
princip-4-a = Think of a conversation with a citizen this week. When did you listen the most – and when did you end up taking over?
princip-4-b = Have you met a citizen with a preconception that did not hold? What did you learn from it?
princip-4-c = How do you and your colleagues show trust in the citizen's own choices – even when you would have chosen something else?

# 5. Help citizens as early as possible.
princip-5-a = Which early signs have you noticed in a citizen recently – before something became hard? What did you do?
princip-5-b = When did you manage to act in time this week? What made it possible?
princip-5-c = Is there a situation where you waited too long? What could help you react earlier next time?

# 6. Work coordinated with the citizen's whole life situation.
princip-6-a = Which other actors are involved in a citizen's life – for example the job centre, psychiatry, their GP or the case worker? How does it fit together from the citizen's side?
princip-6-b = Where has a citizen had to carry the coordination between different services themselves? What could you do to ease it?
princip-6-c = Which parts of life – housing, work, health, money, relationships – take up the most room for a citizen right now? Do the others around the citizen know?

# 7. Follow up so that the effort is always the right one.
princip-7-a = When did you last ask a citizen whether the support still makes sense to them? What was the answer?
princip-7-b = Is there something in your support for a citizen that runs on habit? What would happen if you adjusted it?
princip-7-c = How do you follow up on the goals the citizen has set themselves? Who takes part in judging whether it works?

# 8. Use knowledge and methods that work.
princip-8-a = Which method or knowledge did you use this week? How do you know whether it worked for the citizen?
princip-8-b = What have you learned recently from a colleague, a citizen or a peer worker with lived experience that you want to use again?
princip-8-c = How do you combine your professional knowledge with the citizen's own knowledge of what works for them?

## borger-tjek-ind: the citizen's own check-in (plain language, LIX 30 or below)

borger-tjek-ind-title = Check in
borger-tjek-ind-intro = Hi. I would like to hear from you. Here you can say what matters to you. There are no wrong answers. You can skip some questions. You can stop when you want.
borger-tjek-ind-hope = What matters to you right now? It can also be something you hope for.
borger-tjek-ind-helps = What helps you day to day?
borger-tjek-ind-opt-people = Other people
borger-tjek-ind-opt-doing = Things to do
borger-tjek-ind-opt-rest = Rest and quiet
borger-tjek-ind-opt-nature = Nature
borger-tjek-ind-opt-other = Other things
borger-tjek-ind-helps-more = Do you want to say more about what helps you? Use your own words.
borger-tjek-ind-people = Who do you like to be with?
borger-tjek-ind-opt-family = Family
borger-tjek-ind-opt-friends = A friend
borger-tjek-ind-opt-staff = The staff
borger-tjek-ind-opt-neighbours = People next door
borger-tjek-ind-opt-others = Others
borger-tjek-ind-opt-nobody = Nobody right now
borger-tjek-ind-listened = Do you feel that the staff listen to you?
borger-tjek-ind-respected = Do you feel that the staff treat you with respect?
borger-tjek-ind-scale-low = no, not at all
borger-tjek-ind-scale-high = yes, a lot
# The weekly digest: how many answered 4 or 5.
borger-tjek-ind-digest-listened = Felt listened to
borger-tjek-ind-digest-respected = Felt respected
borger-tjek-ind-kind = Thank you for telling me. What could the staff do better?
borger-tjek-ind-idea = Do you have an idea for something the staff could do better? They may take it up at a meeting. If they do, you will hear about it here.
borger-tjek-ind-share = May the staff read what you wrote? They do not see your name. But they may guess who you are. It is fine to say no.
borger-tjek-ind-try = Is there something you want to try? It can be something small.
borger-tjek-ind-trial = Let us write it down. Think of a small thing you can do soon.
borger-tjek-ind-share-trial = May the staff read your trial action? It can give them ideas for their work. They do not see your name. But they may guess who you are. It is fine to say no.
borger-tjek-ind-outro = Thank you for your answers. What you say matters. Take good care of yourself.

## opfoelgning: follow-up on a trial action (plain language, LIX 30 or below)
## $trial is the text of the trial action.

opfoelgning-title = How did it go?
opfoelgning-intro = Now we follow up on what you wanted to try:
    { $trial }
    It only takes two minutes. There are no wrong answers.
opfoelgning-tried = Did you get to try it?
opfoelgning-happened = What happened when you tried it?
opfoelgning-now = What do you want to do now?
opfoelgning-opt-kept = Keep doing it
opfoelgning-opt-adjusted = Change it a bit
opfoelgning-opt-dropped = Drop it
opfoelgning-opt-done = It is done
opfoelgning-adjust = Good. Let us write down the new way.
opfoelgning-hindered = That is all right. What made it hard?
opfoelgning-share = { $role ->
    [citizen] May the staff read what you wrote about how it went? They do not see your name. But they may guess who you are. It is fine to say no.
   *[staff] May I share your answer about how it went with your group? It goes into the weekly overview, so others can learn from it. Your first name is shown only if you gave it with /name. If you do not answer, I do not share it.
}
opfoelgning-outro = Thank you for following up. Small steps count too.

## Trial action (/try)
proevehandling-title = Trial action: try a small thing
proevehandling-intro = A trial action is a small thing you want to try. Later I follow up on how it went.
proevehandling-what = What do you want to try?
proevehandling-outro = Good. On the day you chose, I will ask how it went.
