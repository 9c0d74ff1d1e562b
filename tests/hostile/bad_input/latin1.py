# %%
x = 'café'
