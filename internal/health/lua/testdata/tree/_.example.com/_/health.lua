local hs = {status = "Progressing", message = "no Ready condition yet"}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" and c.status == "True" then
      return {status = "Healthy", message = "Ready (wildcard)"}
    end
    if c.type == "Ready" and c.status == "False" then
      return {status = "Degraded", message = c.reason .. " (wildcard)"}
    end
  end
end
return hs
