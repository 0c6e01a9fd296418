from django import forms


class TeamNameForm(forms.Form):
    name = forms.CharField(max_length=80, label="Team name", widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the team a name.")
        return name
