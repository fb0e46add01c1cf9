"""Write-side operations of the tasks app."""
